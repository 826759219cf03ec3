from rest_framework.routers import DefaultRouter

from .views import ActionItemViewSet, AgendaItemViewSet, BriefViewSet, MeetingViewSet, MinutesViewSet

router = DefaultRouter()
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")
router.register("minutes", MinutesViewSet, basename="minutes")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("briefs", BriefViewSet, basename="brief")
urlpatterns = router.urls
