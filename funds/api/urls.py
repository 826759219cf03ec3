from rest_framework.routers import DefaultRouter

from .views import AccountViewSet, ApplicationViewSet, FundSourceViewSet, LedgerTransferViewSet, ProgrammeViewSet

router = DefaultRouter()
router.register("fund-sources", FundSourceViewSet, basename="fund-source")
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("applications", ApplicationViewSet, basename="application")
router.register("ledger/accounts", AccountViewSet, basename="ledger-account")
router.register("ledger/transfers", LedgerTransferViewSet, basename="ledger-transfer")
urlpatterns = router.urls
