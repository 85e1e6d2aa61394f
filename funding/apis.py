"""The money endpoints (contract §12): parse, call one service or selector, shape the answer. Only coordinators
know they exist: every other role gets 404 on every path and method."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from api.docs import answer_example, request_example
from api.viewsets import ServiceViewSet
from coalition.permissions import OnlyCoordinatorsSee

from . import examples, selectors, services
from .filters import AllocationFilter, CoFinancingFilter, TransactionFilter
from .serializers import (
    AllocationSerializer,
    AllocationUpdateSerializer,
    CoFinancingSerializer,
    TransactionSerializer,
)

WHO = " Coordinators only; to every other role this path does not exist (404)."


class MoneyViewSet(ServiceViewSet):
    permission_classes = [OnlyCoordinatorsSee]


@extend_schema_view(
    list=extend_schema(
        summary="List allocations",
        description="What each programme allocated to each project per year, with what was spent against it and "
        "what remains. Filter by `programme` or `project`." + WHO,
        examples=[answer_example("Regio Deal to the local work company, 2026", examples.ALLOCATION)],
    ),
    retrieve=extend_schema(
        summary="Get an allocation",
        description="One allocation, with `spent` (its expenditures) and `remaining`." + WHO,
        examples=[answer_example("Regio Deal to the local work company, 2026", examples.ALLOCATION)],
    ),
    create=extend_schema(
        summary="Allocate",
        description="Allocate money from a programme to a project for a year within the programme's years (else "
        "400). One allocation per programme, project and year (409). The programme's allocations never add up "
        "to more than its budget: 409 with a `type` ending in `/budget-exceeded` and a `detail` naming the budget "
        "and what is left — also when two coordinators allocate at the same moment (the second waits for the "
        "first, then finds less left)." + WHO,
        examples=[
            request_example("€450,000 of the Regio Deal for 2026", examples.ALLOCATION_REQUEST),
            answer_example("Allocated", {**examples.ALLOCATION, "spent": "0.00", "remaining": "450000.00"}),
        ],
    ),
    partial_update=extend_schema(
        summary="Change an allocation",
        description="Change the `amount`, within the programme's budget (409, `/budget-exceeded`) and never below "
        "what was committed, disbursed or spent against it (409). Programme, project and year stay." + WHO,
        examples=[request_example("Raised to €520,000", examples.ALLOCATION_CHANGE)],
    ),
)
class AllocationViewSet(MoneyViewSet):
    """What a programme gives a project in a year (coordinators only)."""

    filterset_class = AllocationFilter

    def get_queryset(self):
        return selectors.allocation_list()

    def get_serializer_class(self):
        return AllocationUpdateSerializer if self.action == "partial_update" else AllocationSerializer

    def create(self, request):
        return self.respond(services.allocation_create(**self.validated()), status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        allocation = self.get_object()
        data = self.validated(instance=allocation, partial=True)
        return self.respond(services.allocation_update(allocation=allocation, data=data))


@extend_schema_view(
    list=extend_schema(
        summary="List transactions",
        description="Commitments, disbursements and expenditures, newest first. Filter by `programme`, `project`, "
        "`kind`, `dateAfter` and `dateBefore` (both inclusive)." + WHO,
        examples=[answer_example("An expenditure of the Regio Deal", examples.TRANSACTION)],
    ),
    retrieve=extend_schema(
        summary="Get a transaction",
        description="One transaction, with the programme and project of its allocation." + WHO,
        examples=[answer_example("An expenditure of the Regio Deal", examples.TRANSACTION)],
    ),
    create=extend_schema(
        summary="Book a transaction",
        description="Book a commitment, disbursement or expenditure against the allocation of `programme` to "
        "`project` in the year of `date`: 409 when there is none. `date` not in the future (400, Amsterdam "
        "time). Per allocation, the sum of each kind stays between 0 and the allocation's amount: 409 with a "
        "`type` ending in `/budget-exceeded` otherwise, also under concurrent writes. Transactions are never "
        "changed or deleted (405): a correction or refund is a new transaction with a negative `amount`." + WHO,
        examples=[
            request_example("Two work coaches, March", examples.TRANSACTION_REQUEST),
            request_example("A correction", examples.CORRECTION_REQUEST),
            answer_example("Booked", examples.TRANSACTION),
        ],
    ),
)
class TransactionViewSet(MoneyViewSet):
    """Money committed, paid out and spent under an allocation: append-only (coordinators only)."""

    serializer_class = TransactionSerializer
    filterset_class = TransactionFilter
    http_method_names = ["get", "post", "head", "options"]  # never changed or deleted: 405

    def get_queryset(self):
        return selectors.transaction_list()

    def create(self, request):
        data = self.validated()
        allocation = data.pop("allocation")  # the programme and project it is booked under
        transaction = services.transaction_create(by=request.user, **allocation, **data)
        return self.respond(transaction, status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="List co-financing",
        description="What partners brought to projects per year, in cash or in kind, public or private. A year's "
        "co-financing of a project counts towards each programme that allocated to the project that year, in "
        "proportion to the allocations. Filter by `project` or `organisation`." + WHO,
        examples=[answer_example("Staedion's in-kind share", examples.CO_FINANCING)],
    ),
    retrieve=extend_schema(
        summary="Get co-financing",
        description="What one partner brought to a project in a year." + WHO,
        examples=[answer_example("Staedion's in-kind share", examples.CO_FINANCING)],
    ),
    create=extend_schema(
        summary="Record co-financing",
        description="Record what a partner brought to a project in a year." + WHO,
        examples=[
            request_example("Staedion: premises and caretakers", examples.CO_FINANCING_REQUEST),
            answer_example("Recorded", examples.CO_FINANCING),
        ],
    ),
    partial_update=extend_schema(
        summary="Change co-financing",
        description="Send only the fields that change." + WHO,
        examples=[request_example("A larger amount", examples.CO_FINANCING_CHANGE)],
    ),
    destroy=extend_schema(summary="Delete co-financing", description="Remove a record made in error." + WHO),
)
class CoFinancingViewSet(MoneyViewSet):
    """What partners bring to projects (coordinators only)."""

    serializer_class = CoFinancingSerializer
    filterset_class = CoFinancingFilter
    http_method_names = [*MoneyViewSet.http_method_names, "delete"]

    def get_queryset(self):
        return selectors.co_financing_list()

    def create(self, request):
        return self.respond(services.co_financing_create(**self.validated()), status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        co_financing = self.get_object()
        data = self.validated(instance=co_financing, partial=True)
        return self.respond(services.co_financing_update(co_financing=co_financing, data=data))

    def destroy(self, request, pk=None):
        services.co_financing_delete(co_financing=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
