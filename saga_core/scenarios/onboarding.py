"""Bank account onboarding with KYC checks: seven services in a row.

Long enough to show why choreography gets hard past about four hops: every step is one more
event, one more subscription and one more place where the compensation chain has to be wired by
hand, while the orchestrator's state machine only grows by one state.
"""

from __future__ import annotations

from functools import cache

from ..definition import Action, Completion, Move, Saga, Step, StepEvents, Timing
from ..retry import RetryPolicy

APPLICANT = "a-1"
ACCOUNT = "12-34-56 7890"
DEPOSIT_PENCE = 10_000

open_application = Action(
    "open_application",
    f"open application {APPLICANT} (PENDING)",
    record=(APPLICANT, "PENDING"),
)
withdraw_application = Action(
    "withdraw_application", f"withdraw application {APPLICANT}", record=(APPLICANT, "WITHDRAWN")
)
verify_identity = Action(
    "verify_identity",
    f"verify the passport and selfie of applicant {APPLICANT}",
    moves=(Move("checks:quota", "checks:used", 1),),
    record=(f"id-{APPLICANT}", "VERIFIED"),
)
erase_identity = Action(
    "erase_identity",
    f"erase the identity check of applicant {APPLICANT}",
    record=(f"id-{APPLICANT}", "ERASED"),
)
screen_sanctions = Action(
    "screen_sanctions",
    f"screen applicant {APPLICANT} against the sanctions and PEP lists",
    record=(f"screen-{APPLICANT}", "CLEAR"),
)
void_screening = Action(
    "void_screening",
    f"void the screening of applicant {APPLICANT}",
    record=(f"screen-{APPLICANT}", "VOID"),
)
check_credit = Action(
    "check_credit",
    f"run a soft credit check on applicant {APPLICANT}",
    record=(f"credit-{APPLICANT}", "PASSED"),
)
withdraw_inquiry = Action(
    "withdraw_inquiry",
    f"withdraw the credit inquiry on applicant {APPLICANT}",
    record=(f"credit-{APPLICANT}", "WITHDRAWN"),
)
open_account = Action(
    "open_account",
    f"open current account {ACCOUNT} for applicant {APPLICANT}",
    moves=(Move("numbers:free", "numbers:assigned", 1),),
    record=(ACCOUNT, "OPEN"),
)
close_account = Action(
    "close_account", f"close current account {ACCOUNT}", record=(ACCOUNT, "CLOSED")
)
issue_card = Action(
    "issue_card",
    f"issue a debit card for account {ACCOUNT}",
    moves=(Move("cards:blank", "cards:issued", 1),),
    record=("card-4417", "ISSUED"),
)
cancel_card = Action("cancel_card", "cancel debit card 4417", record=("card-4417", "CANCELLED"))
take_deposit = Action(
    "take_deposit",
    f"move the £100.00 opening deposit into account {ACCOUNT}",
    moves=(Move(f"funding:{APPLICANT}", f"account:{ACCOUNT}", DEPOSIT_PENCE),),
)
return_deposit = Action(
    "return_deposit", f"return the £100.00 opening deposit to applicant {APPLICANT}"
)
activate_customer = Completion(
    f"activate customer {APPLICANT} (ACTIVE)",
    record=(APPLICANT, "ACTIVE"),
    event="CustomerActivated",
)


@cache
def onboarding() -> Saga:
    vendor_retry = RetryPolicy(max_attempts=3, initial_interval_ms=300, backoff_coefficient=2)
    return Saga(
        "onboarding",
        [
            Step("application", "OnboardingService", open_application,
                 compensate=withdraw_application,
                 failure_reason="the application form is incomplete",
                 events=StepEvents("ApplicationOpened", "ApplicationRejected",
                                   "ApplicationWithdrawn")),
            Step("identity", "IdentityService", verify_identity, compensate=erase_identity,
                 retry=vendor_retry, timeout_ms=1_500, latency_ms=(120, 480),
                 failure_reason="the selfie does not match the passport",
                 events=StepEvents("IdentityVerified", "IdentityRejected", "IdentityErased")),
            Step("screening", "ComplianceService", screen_sanctions, compensate=void_screening,
                 retry=vendor_retry, timeout_ms=1_200, latency_ms=(80, 300),
                 failure_reason="the applicant matches a sanctions list",
                 events=StepEvents("ScreeningCleared", "ScreeningHit", "ScreeningVoided")),
            Step("credit", "CreditBureau", check_credit, compensate=withdraw_inquiry,
                 retry=vendor_retry, timeout_ms=1_200, latency_ms=(100, 400),
                 failure_reason="no credit file can be found",
                 events=StepEvents("CreditChecked", "CreditDeclined", "InquiryWithdrawn")),
            Step("account", "CoreBanking", open_account, compensate=close_account,
                 failure_reason="the core banking system refuses the account",
                 events=StepEvents("AccountOpened", "AccountRefused", "AccountClosed")),
            Step("card", "CardService", issue_card, compensate=cancel_card,
                 retry=RetryPolicy(max_attempts=5, initial_interval_ms=100,
                                   backoff_coefficient=1.5),
                 failure_reason="the card printer queue is full",
                 events=StepEvents("CardIssued", "CardRefused", "CardCancelled")),
            Step("deposit", "PaymentService", take_deposit, compensate=return_deposit,
                 retry=RetryPolicy(max_attempts=3, initial_interval_ms=200, backoff_coefficient=2),
                 timeout_ms=800, latency_ms=(40, 200),
                 failure_reason="the funding account has insufficient funds",
                 events=StepEvents("DepositReceived", "DepositFailed", "DepositReturned")),
        ],
        services={
            "OnboardingService": {},
            "IdentityService": {"checks:quota": 100, "checks:used": 0},
            "ComplianceService": {},
            "CreditBureau": {},
            "CoreBanking": {"numbers:free": 1_000, "numbers:assigned": 0},
            "CardService": {"cards:blank": 50, "cards:issued": 0},
            "PaymentService": {f"funding:{APPLICANT}": 25_000, f"account:{ACCOUNT}": 0},
        },
        completion=activate_customer,
        title="Bank account onboarding (KYC)",
        subject=f"applicant {APPLICANT}",
        start_message="SubmitApplication",
        side_subscribers={
            "ApplicationOpened": ("Analytics",),
            "IdentityVerified": ("Audit",),
            "ScreeningCleared": ("Audit",),
            "AccountOpened": ("CRM",),
            "DepositReceived": ("Notifications",),
        },
        timing=Timing(),
        description="Seven services from application to funded account: long enough to show "
        "why choreography gets hard past about four hops.",
    )
