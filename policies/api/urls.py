from rest_framework.routers import DefaultRouter

from .views import LegacyPolicyViewSet, PolicyCoverageViewSet, PolicyViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("policies", PolicyViewSet, basename="policy")
router.register("legacy-policies", LegacyPolicyViewSet, basename="legacy-policy")
router.register("policy-coverage", PolicyCoverageViewSet, basename="policy-coverage")
urlpatterns = router.urls
