from rest_framework.routers import DefaultRouter

from .views import DataSetViewSet, EnterpriseViewSet, IndicatorViewSet, IngestionJobViewSet

router = DefaultRouter()
router.register("datasets", DataSetViewSet, basename="dataset")
router.register("ingestion-jobs", IngestionJobViewSet, basename="ingestion-job")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("indicators", IndicatorViewSet, basename="indicator")
urlpatterns = router.urls
