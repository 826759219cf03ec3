"""What each role may do with the pooled fund (collected by bureau.roles)."""

from bureau.roles import Role

PERMISSIONS: dict[str, list[str]] = {
    Role.BUREAU_STAFF: ["funds.view_account", "funds.view_ledgertransfer"],
}
