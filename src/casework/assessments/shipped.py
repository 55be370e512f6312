"""The instruments that come with Casework, as data, and their idempotent loader.

The loader takes the model classes as arguments so that a data migration can
call it with its historical models. When the wording here changes in a later
release, running the loader again publishes a new version and retires the old
one; assessments already given stay tied to the version they were given under.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

LIFE_DOMAIN_SCALE: dict[str, Any] = {
    "min": 1,
    "max": 5,
    "labels": {
        "1": "Crisis",
        "2": "Vulnerable",
        "3": "Safe",
        "4": "Building capacity",
        "5": "Thriving",
    },
}

# (id, label, the question as asked)
LIFE_DOMAINS: list[tuple[str, str, str]] = [
    ("housing", "Housing", "How settled and safe is the place you live?"),
    ("income", "Income", "How well does your income cover what you need each month?"),
    ("food", "Food", "How often do you and your household have enough to eat?"),
    ("physical_health", "Physical health", "How is your physical health, and your care for it?"),
    ("mental_health", "Mental health", "How are you doing emotionally, and with support for it?"),
    ("substance_use", "Substance use", "How much is alcohol or drug use affecting your life?"),
    ("legal", "Legal", "How much are legal matters (court, fines, records) weighing on you?"),
    ("education", "Education", "How well does your schooling or training serve your plans?"),
    ("employment", "Employment", "How is work going, or finding work if you want it?"),
    ("transportation", "Transportation", "How easily can you get where you need to go?"),
    ("childcare", "Childcare", "If you care for children, how dependable is their care?"),
    ("safety", "Safety", "How safe do you feel at home and in your neighbourhood?"),
    (
        "family_support",
        "Family and social support",
        "How much can you count on family, friends or community?",
    ),
    (
        "language_literacy",
        "Language and literacy",
        "How easily can you read forms and talk with services in a language you know well?",
    ),
]


def needs_assessment_definition() -> dict[str, Any]:
    questions: list[dict[str, Any]] = []
    scoring: list[dict[str, Any]] = []
    sections: list[dict[str, Any]] = []
    for domain, label, asked in LIFE_DOMAINS:
        questions = [
            {
                "id": f"{domain}_score",
                "kind": "scale",
                "label": asked,
                "help": "1 means crisis, 5 means thriving. Choose the point the client "
                "agrees with.",
                "required": True,
                "scale": LIFE_DOMAIN_SCALE,
            },
            {
                "id": f"{domain}_note",
                "kind": "long_text",
                "label": f"{label}: what the client says about this",
                "help": "In the client's own words where you can.",
            },
        ]
        sections.append({"id": domain, "title": label, "questions": questions})
        scoring.append(
            {
                "id": domain,
                "label": label,
                "kind": "value",
                "question": f"{domain}_score",
                "need_at_or_below": 2,
                "note_question": f"{domain}_note",
            }
        )
    scoring.append(
        {
            "id": "total",
            "label": "All domains together",
            "kind": "sum",
            "questions": [f"{d}_score" for d, _, _ in LIFE_DOMAINS],
            "bands": [
                {"min": 14, "max": 27, "label": "Many urgent needs"},
                {"min": 28, "max": 41, "label": "Some areas need support"},
                {"min": 42, "max": 55, "label": "Mostly steady"},
                {"min": 56, "max": 70, "label": "Doing well across most of life"},
            ],
        }
    )
    sections.append(
        {
            "id": "review",
            "title": "Review with the client",
            "questions": [
                {
                    "id": "reviewed_with_client",
                    "kind": "signature",
                    "label": "I went through these scores with the client and they agree "
                    "they describe where things stand today.",
                    "required": True,
                }
            ],
        }
    )
    return {"sections": sections, "scoring": scoring}


def intake_assessment_definition() -> dict[str, Any]:
    return {
        "sections": [
            {
                "id": "background",
                "title": "Background",
                "description": "A little about the client's life so far. Ask only what the "
                "client is comfortable sharing.",
                "questions": [
                    {
                        "id": "living_situation",
                        "kind": "single_choice",
                        "label": "Where is the client living now?",
                        "required": True,
                        "choices": [
                            {"value": "own_rent", "label": "Their own place (owned or rented)"},
                            {"value": "with_others", "label": "With family or friends"},
                            {"value": "shelter", "label": "A shelter"},
                            {"value": "unsheltered", "label": "Outside, in a car or similar"},
                            {"value": "institution", "label": "Hospital, treatment or jail"},
                            {"value": "other", "label": "Somewhere else"},
                        ],
                    },
                    {
                        "id": "household",
                        "kind": "long_text",
                        "label": "Who lives with the client?",
                        "help": "Names are not needed: for example 'two children, 4 and 9'.",
                    },
                    {
                        "id": "history",
                        "kind": "long_text",
                        "label": "What brings the client to us now?",
                        "required": True,
                    },
                ],
            },
            {
                "id": "conditions",
                "title": "Current conditions",
                "questions": [
                    {
                        "id": "safe_tonight",
                        "kind": "yes_no",
                        "label": "Does the client have a safe place to stay tonight?",
                        "required": True,
                    },
                    {
                        "id": "safe_tonight_plan",
                        "kind": "long_text",
                        "label": "What is the plan for tonight?",
                        "required": True,
                        "show_when": {"question": "safe_tonight", "equals": False},
                    },
                    {
                        "id": "health",
                        "kind": "long_text",
                        "label": "Health conditions or disabilities the client wants us to "
                        "know about",
                    },
                    {
                        "id": "income_monthly",
                        "kind": "number",
                        "label": "Household income per month, in dollars",
                        "min": 0,
                        "max": 100000,
                    },
                ],
            },
            {
                "id": "assistance",
                "title": "Current assistance and benefits",
                "questions": [
                    {
                        "id": "benefits",
                        "kind": "multi_choice",
                        "label": "Which benefits or assistance does the client receive now?",
                        "choices": [
                            {"value": "snap", "label": "SNAP (food assistance)"},
                            {"value": "wic", "label": "WIC"},
                            {"value": "tanf", "label": "TANF (cash assistance)"},
                            {"value": "ssi", "label": "SSI"},
                            {"value": "ssdi", "label": "SSDI"},
                            {"value": "medicaid", "label": "Medicaid"},
                            {"value": "medicare", "label": "Medicare"},
                            {"value": "housing_voucher", "label": "Housing voucher"},
                            {"value": "unemployment", "label": "Unemployment insurance"},
                            {"value": "other", "label": "Something else"},
                        ],
                    },
                    {
                        "id": "benefits_other",
                        "kind": "text",
                        "label": "Which other assistance?",
                        "required": True,
                        "show_when": {"question": "benefits", "contains": "other"},
                    },
                    {
                        "id": "benefits_pending",
                        "kind": "long_text",
                        "label": "Applications waiting for a decision",
                    },
                ],
            },
            {
                "id": "strengths",
                "title": "Strengths",
                "questions": [
                    {
                        "id": "strengths",
                        "kind": "long_text",
                        "label": "What is going well, and what is the client good at?",
                        "help": "Skills, people, faith, habits, past successes: what the "
                        "client can build on.",
                        "required": True,
                    },
                ],
            },
            {
                "id": "goals",
                "title": "The client's goals",
                "questions": [
                    {
                        "id": "goals_in_own_words",
                        "kind": "long_text",
                        "label": "What would the client like their life to look like in a "
                        "year? (in their own words)",
                        "help": "Write down what the client says, as they say it.",
                        "required": True,
                    },
                    {
                        "id": "first_step",
                        "kind": "text",
                        "label": "What would the client like to work on first?",
                    },
                ],
            },
            {
                "id": "acknowledgement",
                "title": "Acknowledgement",
                "questions": [
                    {
                        "id": "client_acknowledgement",
                        "kind": "signature",
                        "label": "The client heard this summary read back and agrees it says "
                        "what they meant.",
                        "required": True,
                    }
                ],
            },
        ]
    }


SHIPPED: list[dict[str, Any]] = [
    {
        "code": "comprehensive-intake",
        "name": "Comprehensive intake assessment",
        "description": "Background, current conditions, assistance, strengths and the "
        "client's own goals, gathered in the first weeks of a case.",
        "purpose": "intake",
        "definition": intake_assessment_definition,
    },
    {
        "code": "life-domains",
        "name": "Life-domains needs assessment",
        "description": "Fourteen areas of life, each scored from crisis (1) to thriving (5) "
        "with the client's own note. Repeat it to see change over time.",
        "purpose": "needs",
        "definition": needs_assessment_definition,
    },
]


def load_shipped_instruments(instrument_model: Any, version_model: Any) -> int:
    """Create or update Casework's own instruments; returns how many versions it published."""
    published = 0
    for spec in SHIPPED:
        definition = spec["definition"]()
        instrument, _ = instrument_model.objects.update_or_create(
            organization=None,
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "description": spec["description"],
                "purpose": spec["purpose"],
            },
        )
        current = (
            version_model.objects.filter(instrument=instrument, status="published")
            .order_by("-number")
            .first()
        )
        if current is not None and current.definition == definition:
            continue
        last = version_model.objects.filter(instrument=instrument).order_by("-number").first()
        version_model.objects.filter(instrument=instrument, status="published").update(
            status="retired"
        )
        version_model.objects.create(
            instrument=instrument,
            number=(last.number + 1) if last else 1,
            status="published",
            definition=definition,
            published_at=timezone.now(),
        )
        published += 1
    return published
