"""What each role may do in the joint meeting (collected by bureau.roles).

These are the working permissions of the divisions that take part; which meeting and
which step is decided by the division's part in it (meetings.permissions).
"""

from bureau.roles import Role

MEETING_WORK = ["meetings.view_*"] + [
    f"meetings.{codename}"
    for codename in (
        "add_meeting", "change_meeting", "add_agendaitem", "add_agendaattachment", "add_attendance",
        "change_attendance", "add_minutes", "change_minutes", "add_itemsummary", "change_itemsummary",
        "add_minutescomment", "change_actionitem", "add_progresspost", "add_brief",
    )
]  # fmt: skip

PERMISSIONS: dict[str, list[str]] = {
    Role.BUREAU_STAFF: MEETING_WORK,
    Role.DIVISION_STAFF: MEETING_WORK,
    Role.API_CLIENT: MEETING_WORK,
}
