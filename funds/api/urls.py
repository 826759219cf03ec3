from rest_framework.routers import DefaultRouter

from .views import AccountViewSet, LedgerTransferViewSet

router = DefaultRouter()
router.register("ledger/accounts", AccountViewSet, basename="ledger-account")
router.register("ledger/transfers", LedgerTransferViewSet, basename="ledger-transfer")
urlpatterns = router.urls
