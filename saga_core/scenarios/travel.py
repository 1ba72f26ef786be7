"""Travel booking: flight, hotel and car, the running example of the saga literature.

Three independent providers, no coordinator of their own: if the car cannot be rented, the hotel
and the flight are cancelled, newest first. There is no completion step: the trip is booked when
the last provider confirms.
"""

from __future__ import annotations

from functools import cache

from ..definition import Action, Move, Saga, Step, StepEvents, Timing
from ..retry import RetryPolicy

TRIP = "t-1"

hold_seat = Action(
    "hold_seat",
    f"hold seat 14C on flight BA117 for trip {TRIP}",
    moves=(Move("seats:free", "seats:held", 1),),
    record=("BA117/14C", "HELD"),
)
release_seat = Action(
    "release_seat", "release seat 14C on flight BA117", record=("BA117/14C", "RELEASED")
)
book_room = Action(
    "book_room",
    f"book 3 nights at the Harbour Hotel for trip {TRIP}",
    moves=(Move("rooms:free", "rooms:booked", 1),),
    record=("room-212", "BOOKED"),
)
cancel_room = Action(
    "cancel_room", "cancel the Harbour Hotel booking", record=("room-212", "CANCELLED")
)
rent_car = Action(
    "rent_car",
    f"rent a compact car for trip {TRIP}",
    moves=(Move("cars:free", "cars:rented", 1),),
    record=("car-5", "RENTED"),
)
return_car = Action("return_car", "cancel the compact car rental", record=("car-5", "CANCELLED"))


@cache
def travel() -> Saga:
    return Saga(
        "travel",
        [
            Step("flight", "FlightService", hold_seat, compensate=release_seat,
                 retry=RetryPolicy(max_attempts=4, initial_interval_ms=250, backoff_coefficient=2),
                 timeout_ms=800, latency_ms=(60, 240),
                 failure_reason="the flight is full",
                 events=StepEvents("FlightHeld", "FlightUnavailable", "FlightReleased")),
            Step("hotel", "HotelService", book_room, compensate=cancel_room,
                 retry=RetryPolicy(max_attempts=3, initial_interval_ms=200, backoff_coefficient=2),
                 timeout_ms=600, latency_ms=(40, 160),
                 failure_reason="the hotel has no rooms left",
                 events=StepEvents("HotelBooked", "HotelUnavailable", "HotelCancelled")),
            Step("car", "CarRentalService", rent_car, compensate=return_car,
                 failure_reason="no cars are available",
                 events=StepEvents("CarRented", "CarUnavailable", "CarCancelled")),
        ],
        services={
            "FlightService": {"seats:free": 3, "seats:held": 0},
            "HotelService": {"rooms:free": 2, "rooms:booked": 0},
            "CarRentalService": {"cars:free": 4, "cars:rented": 0},
        },
        title="Travel booking",
        subject=f"trip {TRIP}",
        start_message="BookTrip",
        side_subscribers={
            "FlightHeld": ("Loyalty",),
            "CarRented": ("Notifications",),
        },
        timing=Timing(),
        description="Flight, hotel and car from three providers: the saga paper's classic example.",
    )
