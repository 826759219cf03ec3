from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.meeting_new, name="meeting-new"),
    path("<int:pk>/", views.meeting_detail, name="meeting"),
    path("<int:pk>/transition/", views.meeting_transition, name="meeting-transition"),
    path("<int:pk>/invitation.ics", views.meeting_ics, name="meeting-ics"),
    path("<int:pk>/agenda/new/", views.agenda_new, name="agenda-new"),
    path("<int:pk>/attendance/", views.attendance_record, name="attendance"),
    path("<int:pk>/minutes/new/", views.minutes_new, name="minutes-new"),
    path("agenda/<int:pk>/decide/", views.agenda_decide, name="agenda-decide"),
    path("agenda/<int:pk>/move/", views.agenda_move, name="agenda-move"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("minutes/<int:pk>/", views.minutes_detail, name="minutes"),
    path("minutes/<int:pk>/export.docx", views.minutes_docx, name="minutes-docx"),
    path("actions/", views.action_board, name="actions"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("briefs/", views.briefs, name="briefs"),
    path("statistics/", views.statistics, name="statistics"),
    path("search/", views.search, name="search"),
]
