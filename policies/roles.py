"""What each role may do with the policy catalogue (collected by bureau.roles)."""

from bureau.roles import Role

# Everyone reads the published catalogue; bureau staff keep it.
POLICY_READ = [
    "policies.view_policy",
    "policies.view_policyfield",
    "policies.view_interpretation",
    "policies.view_legacypolicy",
    "policies.view_policyattachment",
]

PERMISSIONS: dict[str, list[str]] = {
    Role.BUREAU_STAFF: ["policies.view_*", "policies.add_*", "policies.change_*"],
    Role.DIVISION_STAFF: POLICY_READ,
    Role.EXPERT: POLICY_READ,
    Role.API_CLIENT: POLICY_READ,
}
