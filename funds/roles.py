"""What each role may do with the pooled fund (collected by bureau.roles).

Which application and which step is decided by the workflow table (funds.workflows)
and the unit scope (bureau.permissions); these are the model permissions under them.
"""

from bureau.roles import Role

FUND_MODELS = ("fundsource", "programme", "application", "expertreview", "objection", "yeartarget")

PERMISSIONS: dict[str, list[str]] = {
    Role.BUREAU_STAFF: [
        "funds.view_*",
        *(f"funds.{verb}_{model}" for verb in ("add", "change") for model in FUND_MODELS),
    ],
    Role.DIVISION_STAFF: [
        "funds.view_programme",
        "funds.view_application",
        "funds.add_application",
        "funds.change_application",
    ],
    # Experts see only the applications granted to them one by one (they have no unit scope, so the model
    # permission opens the applications list to exactly those).
    Role.EXPERT: ["funds.view_programme", "funds.view_application", "funds.change_expertreview"],
    Role.API_CLIENT: ["funds.view_programme", "funds.view_application", "funds.add_application"],
}
