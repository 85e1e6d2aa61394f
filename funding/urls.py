from rest_framework.routers import SimpleRouter

from . import apis

router = SimpleRouter(trailing_slash=False)
router.register("allocations", apis.AllocationViewSet, basename="allocation")
router.register("transactions", apis.TransactionViewSet, basename="transaction")
router.register("co-financing", apis.CoFinancingViewSet, basename="co-financing")

urlpatterns = router.urls
