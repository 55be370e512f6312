"""The printable consent form's fixed wording, per language, as data.

A translator adds a language by adding one dict here with the same keys as
``WORDING["en"]`` (``tests/consent/test_wording.py`` checks that every language has
them all); the template never changes. A client whose language has no translation
gets the English form with a visible note saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FALLBACK = "en"

WORDING: dict[str, dict[str, Any]] = {
    "en": {
        "title": "Authorization to share information",
        "intro": (
            "I, {client}, allow {agency} to share the information checked below with the "
            "person or organization named here, for the purposes checked below."
        ),
        "party": "Who will receive the information",
        "purposes_heading": "Why it will be shared",
        "categories_heading": "What information may be shared",
        "sensitive_note": (
            "Information about substance-use treatment, HIV and sexually transmitted "
            "infections, mental health, domestic violence or criminal justice is shared only "
            "if it is checked here by name."
        ),
        "dates": "This authorization is valid from {start} until {end}.",
        "rights_heading": "Your rights",
        "rights": [
            "You do not have to sign this form. Your services do not depend on it.",
            "You may revoke this authorization at any time, in writing or by telling your "
            "case manager. Revoking stops any further sharing; it cannot undo what was "
            "already shared.",
            "You may ask for a list of everything shared under this authorization.",
            "You may ask for a copy of this form.",
        ],
        "signature": "Client's signature",
        "signed_on_screen": "Signed on screen by typing the name “{name}” on {day}.",
        "signed_on_paper": "Signed on paper on {day}.",
        "witness": "Witness",
        "date": "Date",
        "revoked": "This authorization was revoked on {day}.",
        "purposes": {
            "referral": "Referral to services",
            "care_coordination": "Coordinating my care",
            "court_report": "A report to a court",
            "benefits_application": "Applying for benefits",
            "housing_application": "Applying for housing",
            "other": "Other",
        },
        "categories": {
            "identity_contact": "My name, date of birth and contact details",
            "assessments": "Assessments of my needs",
            "plan": "My service plan",
            "notes": "Case notes",
            "substance_use": "Substance-use treatment",
            "hiv_sti": "HIV and sexually transmitted infections",
            "mental_health": "Mental health",
            "domestic_violence": "Domestic violence",
            "criminal_justice": "Criminal justice",
        },
    },
    "es": {
        "title": "Autorización para compartir información",
        "intro": (
            "Yo, {client}, autorizo a {agency} a compartir la información marcada abajo con "
            "la persona u organización nombrada aquí, para los fines marcados abajo."
        ),
        "party": "Quién recibirá la información",
        "purposes_heading": "Para qué se compartirá",
        "categories_heading": "Qué información se puede compartir",
        "sensitive_note": (
            "La información sobre tratamiento por uso de sustancias, VIH e infecciones de "
            "transmisión sexual, salud mental, violencia doméstica o justicia penal se comparte "
            "solo si está marcada aquí por su nombre."
        ),
        "dates": "Esta autorización es válida desde el {start} hasta el {end}.",
        "rights_heading": "Sus derechos",
        "rights": [
            "No tiene que firmar este formulario. Sus servicios no dependen de ello.",
            "Puede revocar esta autorización en cualquier momento, por escrito o diciéndoselo "
            "a su administrador de caso. Revocarla detiene todo intercambio futuro; no puede "
            "deshacer lo que ya se compartió.",
            "Puede pedir una lista de todo lo compartido bajo esta autorización.",
            "Puede pedir una copia de este formulario.",
        ],
        "signature": "Firma del cliente",
        "signed_on_screen": "Firmado en pantalla escribiendo el nombre «{name}» el {day}.",
        "signed_on_paper": "Firmado en papel el {day}.",
        "witness": "Testigo",
        "date": "Fecha",
        "revoked": "Esta autorización fue revocada el {day}.",
        "purposes": {
            "referral": "Derivación a servicios",
            "care_coordination": "Coordinar mi atención",
            "court_report": "Un informe para un tribunal",
            "benefits_application": "Solicitar beneficios",
            "housing_application": "Solicitar vivienda",
            "other": "Otro",
        },
        "categories": {
            "identity_contact": "Mi nombre, fecha de nacimiento y datos de contacto",
            "assessments": "Evaluaciones de mis necesidades",
            "plan": "Mi plan de servicios",
            "notes": "Notas del caso",
            "substance_use": "Tratamiento por uso de sustancias",
            "hiv_sti": "VIH e infecciones de transmisión sexual",
            "mental_health": "Salud mental",
            "domestic_violence": "Violencia doméstica",
            "criminal_justice": "Justicia penal",
        },
    },
}


@dataclass(frozen=True)
class FormWording:
    language: str
    text: dict[str, Any]
    fell_back: bool  # the client's language has no translation: English is shown


def for_language(code: str) -> FormWording:
    """The form's wording in ``code`` (e.g. "es", "es-MX"), else English with ``fell_back``."""
    base = (code or FALLBACK).split("-")[0].lower()
    if base in WORDING:
        return FormWording(base, WORDING[base], fell_back=False)
    return FormWording(FALLBACK, WORDING[FALLBACK], fell_back=True)
