from django.urls import path

from . import views

app_name = "policies"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("coverage/", views.coverage, name="coverage"),
    path("legacy/", views.legacy_index, name="legacy-index"),
    path("legacy/import/", views.legacy_import, name="legacy-import"),
    path("legacy/<int:pk>/", views.legacy_detail, name="legacy-detail"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/diff/", views.diff, name="diff"),
    path("<int:pk>/repeal/", views.repeal, name="repeal"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment-upload"),
    path("<int:pk>/interpretations/new/", views.interpretation_create, name="interpretation-create"),
    path("<int:pk>/<slug:action>/", views.transition, name="transition"),
]
