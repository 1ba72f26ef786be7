"""The default scenario: an e-commerce checkout across four services."""

from __future__ import annotations

from functools import cache

from ..definition import Action, Completion, Move, Saga, Step, StepEvents, Timing
from ..retry import RetryPolicy

ORDER = "o-1"
TOTAL_CENTS = 4200

create_order = Action("create_order", f"create order {ORDER} (PENDING)", record=(ORDER, "PENDING"))
cancel_order = Action("cancel_order", f"cancel order {ORDER}", record=(ORDER, "CANCELLED"))
charge_card = Action(
    "charge_card",
    f"charge $42.00 to card c-1 for order {ORDER}",
    moves=(Move("card:c-1", "merchant", TOTAL_CENTS),),
)
refund_payment = Action("refund_payment", f"refund $42.00 to card c-1 for order {ORDER}")
reserve_stock = Action(
    "reserve_stock",
    f"reserve 1 widget for order {ORDER}",
    moves=(Move("widget:available", "widget:reserved", 1),),
)
release_stock = Action("release_stock", f"release the widget reserved for order {ORDER}")
book_carrier = Action(
    "book_carrier",
    f"book a carrier slot for order {ORDER}",
    moves=(Move("carrier:free", "carrier:booked", 1),),
)
cancel_booking = Action("cancel_booking", f"cancel the carrier booking for order {ORDER}")
complete_order = Completion(
    f"mark order {ORDER} COMPLETE", record=(ORDER, "COMPLETE"), event="OrderCompleted"
)


@cache
def checkout() -> Saga:
    return Saga(
        "checkout",
        [
            Step(
                "order",
                "OrderService",
                create_order,
                compensate=cancel_order,
                failure_reason="the order was rejected",
                events=StepEvents("OrderCreated", "OrderRejected", "OrderCancelled"),
            ),
            Step(
                "payment",
                "PaymentService",
                charge_card,
                compensate=refund_payment,
                retry=RetryPolicy(max_attempts=3, initial_interval_ms=200, backoff_coefficient=2),
                timeout_ms=500,
                latency_ms=(30, 120),
                failure_reason="the card was declined",
                events=StepEvents("PaymentSucceeded", "PaymentFailed", "RefundIssued"),
            ),
            Step(
                "inventory",
                "InventoryService",
                reserve_stock,
                compensate=release_stock,
                failure_reason="the widget is out of stock",
                events=StepEvents("InventoryReserved", "InventoryFailed", "StockReleased"),
            ),
            Step(
                "shipping",
                "ShippingService",
                book_carrier,
                compensate=cancel_booking,
                failure_reason="no carrier is available",
                events=StepEvents("ShipmentBooked", "ShipmentFailed", "BookingCancelled"),
            ),
        ],
        services={
            "OrderService": {},
            "PaymentService": {"card:c-1": 50_000, "merchant": 0},
            "InventoryService": {"widget:available": 10, "widget:reserved": 0},
            "ShippingService": {"carrier:free": 5, "carrier:booked": 0},
        },
        completion=complete_order,
        title="E-commerce checkout",
        subject=f"order {ORDER}",
        start_message="PlaceOrder",
        side_subscribers={
            "OrderCreated": ("Analytics",),
            "PaymentSucceeded": ("Fraud", "Audit"),
            "ShipmentBooked": ("Notifications",),
        },
        timing=Timing(),
        description="Order, payment, inventory and shipping: the classic saga example.",
    )
