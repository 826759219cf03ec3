from rest_framework.routers import DefaultRouter

from .views import ApiTokenViewSet, AppointmentViewSet, PersonViewSet, TransferViewSet, UnitViewSet

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("people", PersonViewSet, basename="person")
router.register("appointments", AppointmentViewSet, basename="appointment")
router.register("transfers", TransferViewSet, basename="transfer")
router.register("api-tokens", ApiTokenViewSet, basename="api-token")
urlpatterns = router.urls
