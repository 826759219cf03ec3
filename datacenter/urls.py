from django.urls import path

from . import views

app_name = "datacenter"
urlpatterns = [
    path("", views.index, name="index"),
    path("datasets/new/", views.dataset_create, name="dataset-create"),
    path("datasets/<int:pk>/", views.dataset_detail, name="dataset"),
    path("datasets/<int:pk>/upload/", views.dataset_upload, name="upload"),
    path("datasets/<int:pk>/pull/", views.dataset_pull, name="pull"),
    path("datasets/<int:pk>/records/", views.records, name="records"),
    path("datasets/<int:pk>/schema/", views.schema_edit, name="schema"),
    path("datasets/<int:pk>/schema/history/", views.schema_history, name="schema-history"),
    path("datasets/<int:pk>/sharing/", views.dataset_sharing, name="sharing"),
    path("datasets/<int:pk>/sharing/<int:unit_id>/revoke/", views.dataset_unshare, name="unshare"),
    path("jobs/", views.job_list, name="jobs"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/cancel/", views.job_step, {"step": "cancel"}, name="job-cancel"),
    path("jobs/<int:pk>/retry/", views.job_step, {"step": "retry"}, name="job-retry"),
    path("jobs/<int:pk>/errors.csv", views.job_errors, name="job-errors"),
    path("enterprises/", views.enterprise_list, name="enterprises"),
    path("enterprises/<str:credit_code>/", views.enterprise_profile, name="enterprise"),
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/new/", views.indicator_create, name="indicator-create"),
]
