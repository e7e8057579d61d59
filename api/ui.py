"""The clinician's view at `/ui/`: server-rendered pages over the same services as the HTTP API.

Thin routes over `Records`, the fact store and the pure decision core. Auth is the API's tokens
(`facts:read` to look, `facts:write` to change), carried in an encrypted HttpOnly cookie; every
form that changes something carries a CSRF token. The child's number is typed into a form and kept
in the session, never put into a URL or a log line.

"See as this parent" decides with `decide_many` over the stored facts and writes nothing to the
decision log: it is a clinician's preview, not a parent looking (see docs/ui.md).
"""

from __future__ import annotations

import datetime
import functools
import inspect
import json
import logging
import secrets
from pathlib import Path
from typing import Any, Awaitable, Callable, cast

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import TypeAdapter, ValidationError

from access_policy.age import OSLO, age_at, birthday
from access_policy.decisions import decide_many
from access_policy.errors import AccessPolicyError, InvalidInputError, RevocationForbiddenError, StoreUnavailableError
from access_policy.facts import FACT_KINDS, LOCAL_SYSTEM, ChildFacts, FactKind, Item
from access_policy.horizon import changes_ahead, effect, probe_items
from access_policy.identity import parse_person_id
from access_policy.service.tokens import (
    SCOPE_FACTS_READ,
    SCOPE_FACTS_WRITE,
    AuthenticationError,
    Caller,
    PermissionDeniedError,
    issue_dev_token,
)
from access_policy.workbench.texts import RULE_TEXTS
from . import ui_forms
from .ui_session import COOKIE, Session, SessionCodec, load_or_create_key, set_cookie

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(prefix="/ui", include_in_schema=False)

MAX_PREVIEW_ITEMS = 2000
SAMPLE_ITEMS = [
    {"id": "A1", "kind": "appointment"},
    {"id": "D1", "kind": "document", "pathway": "BUP"},
    {"id": "N1", "kind": "note", "referral": "H1"},
    {"id": "R1", "kind": "test_result"},
    {"id": "L1", "kind": "medication"},
]
# Demo roles of the development login: label, scopes, whether the token carries a clinician's HPR and org.
DEMO_ROLES = {
    "clinician": ("Helsepersonell (se og endre)", (SCOPE_FACTS_READ, SCOPE_FACTS_WRITE), True),
    "reader": ("Helsepersonell (bare se)", (SCOPE_FACTS_READ,), True),
}
STATUS_TEXT = {"bosatt": "bosatt", "foedselsregistrert": "fødselsregistrert", "midlertidig": "midlertidig",
               "ikkeBosatt": "ikke bosatt", "utflyttet": "utflyttet", "forsvunnet": "forsvunnet", "doed": "død",
               "opphoert": "opphørt", "inaktiv": "inaktiv"}
RESPONSIBILITY_TEXT = {"felles": "felles", "mor": "mor alene", "far": "far alene", "medmor": "medmor alene",
                       "andre": "andre", "ukjent": "ukjent"}
PROTECTION_TEXT = {"ugradert": "ingen", "klientadresse": "klientadresse", "fortrolig": "fortrolig",
                   "strengtFortrolig": "strengt fortrolig"}
RULE_TEXT = {rule: texts[0] for rule, texts in RULE_TEXTS.items()}
WHAT_TEXT = {
    "birthday": "Barnet fyller {age} år",
    "fact-starts": "{kind} {fact} begynner å gjelde",
    "fact-ends": "{kind} {fact} slutter å gjelde",
    "register-stale": "Opplysningene fra Folkeregisteret blir for gamle (alt nektes til de er hentet på nytt)",
}


class _Redirect(Exception):
    def __init__(self, to: str, notice: str | None = None):
        self.to, self.notice = to, notice


# --- formatting ---------------------------------------------------------------------------------


def local(value: datetime.datetime | datetime.date | None) -> str:
    """An instant as Oslo local time, `dd.mm.åååå kl. tt:mm`; a date as `dd.mm.åååå`."""
    if value is None:
        return "—"
    if isinstance(value, datetime.datetime):
        return value.astimezone(OSLO).strftime("%d.%m.%Y kl. %H:%M")
    return value.strftime("%d.%m.%Y")


def _kind_label(kind: str) -> str:
    return ui_forms.KIND_TEXT.get(kind, (kind, ""))[0]


def _value(name: str, value: Any, names: dict[str, str]) -> str:
    if value is None:
        return "—"
    if name == "scope":
        return _scope_text(value)
    if name in ui_forms.TRISTATE_OPTIONS and isinstance(value, bool):
        return dict(ui_forms.TRISTATE_OPTIONS[name])["true" if value else "false"]
    if value == "all":
        return "alle foreldre"
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, tuple):
        if name == "kinds":
            return ", ".join(ui_forms.ITEM_KIND_LABELS.get(cast(str, getattr(v, "value", v)), str(v)) for v in value) or "ingenting"
        return ", ".join(names.get(str(v), str(v)) for v in value)
    if isinstance(value, datetime.datetime):
        return local(value)
    if name in ("representative", "grantee"):
        return names.get(value, value)
    return str(getattr(value, "value", value))


def _scope_text(scope: Any) -> str:
    """A scope in words: its target, its source system when not this one, and its kinds when restricted."""
    text = "alt"
    for key, word in (("item", "journalopplysning"), ("pathway", "forløp"), ("referral", "henvisning")):
        reference = getattr(scope, key)
        if reference is not None:
            text = f"{word} «{reference.value}»"
            if reference.system != LOCAL_SYSTEM:
                text += f" i kildesystem {reference.system}"
    if scope.kinds:
        text += " – bare " + ", ".join(ui_forms.ITEM_KIND_LABELS.get(kind.value, kind.value).lower() for kind in scope.kinds)
    return text


templates.env.filters["local"] = local
templates.env.globals["rule_text"] = RULE_TEXT
templates.env.globals["legal_text"] = ui_forms.LEGAL_BASIS_TEXT
templates.env.globals["kind_labels"] = ui_forms.ITEM_KIND_LABELS


# --- session, auth and errors -------------------------------------------------------------------


def _codec(request: Request) -> SessionCodec:
    return request.app.state.ui_sessions


def _session(request: Request) -> Session:
    return _codec(request).open(request.cookies.get(COOKIE)) or Session()


def _caller(request: Request, session: Session, scope: str) -> Caller:
    if not session.token:
        raise _Redirect("/ui/login")
    try:
        caller = request.app.state.verifier.verify(session.token)
    except AuthenticationError as error:
        session.token = None
        raise _Redirect("/ui/login", f"Logg inn på nytt: {error}") from None
    caller.require(scope)
    return caller


async def _form(request: Request, session: Session) -> Any:
    form = await request.form()
    sent = str(form.get("csrf") or "")
    if not secrets.compare_digest(sent.encode(), session.csrf.encode()):
        raise PermissionDeniedError("skjemaet er utløpt eller kommer ikke fra denne siden; last siden på nytt")
    return form


def _child(session: Session) -> str:
    if not session.child:
        raise _Redirect("/ui/", "Slå opp et barn først.")
    return session.child


def page(request: Request, session: Session, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page and reseal the session (a one-time notice is shown once)."""
    notice, session.notice = session.notice, None
    settings = request.app.state.settings
    response = templates.TemplateResponse(
        request, template, {"session": session, "csrf": session.csrf, "notice": notice, "dev": settings.dev, **context},
        status_code=status,
    )
    set_cookie(response, _codec(request), session, secure=not settings.dev)
    return response


def redirect(request: Request, session: Session, to: str, notice: str | None = None) -> RedirectResponse:
    """A 303 to a page, carrying a notice in the session."""
    session.notice = notice or session.notice
    response = RedirectResponse(to, status_code=303)
    set_cookie(response, _codec(request), session, secure=not request.app.state.settings.dev)
    return response


def ui_route(handler: Callable[..., Awaitable[Response]]) -> Callable[..., Awaitable[Response]]:
    """Turn the typed errors a page meets into pages (not problem+json): login, 403, 422, 503."""

    @functools.wraps(handler)
    async def wrapped(request: Request, *args: Any, **kwargs: Any) -> Response:
        session = _session(request)
        try:
            return await handler(request, session, *args, **kwargs)
        except _Redirect as jump:
            return redirect(request, session, jump.to, jump.notice)
        except PermissionDeniedError as error:
            return page(request, session, "error.html", 403, title="Ingen tilgang", message=str(error))
        except InvalidInputError as error:
            return page(request, session, "error.html", 422, title="Ugyldig", message=str(error))
        except RevocationForbiddenError as error:
            return page(request, session, "error.html", 403, title="Kan ikke trekkes tilbake",
                        message="Denne opplysningen er satt av en annen virksomhet. Bare den virksomheten kan trekke den "
                                "tilbake, eller helsepersonell med overstyringsrett (facts:override) som skriver en begrunnelse.",
                        detail=str(error))
        except StoreUnavailableError:
            return page(request, session, "error.html", 503, title="Ikke tilgjengelig",
                        message="Faktalageret svarer ikke. Prøv igjen om litt.")
        except AccessPolicyError as error:
            return page(request, session, "error.html", 409, title="Kan ikke vises", message=str(error))

    # FastAPI must see the route's own parameters, not the session the wrapper adds.
    signature = inspect.signature(handler)
    wrapped.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p for name, p in signature.parameters.items() if name != "session"]
    )
    return wrapped


# --- login --------------------------------------------------------------------------------------


@router.get("/login")
@ui_route
async def login_page(request: Request, session: Session) -> Response:
    """Sign in by pasting a token (or, in development, by picking a demo role)."""
    roles = {key: label for key, (label, _, _) in DEMO_ROLES.items()} if request.app.state.settings.dev else {}
    return page(request, session, "login.html", roles=roles)


@router.post("/login")
@ui_route
async def login(request: Request, session: Session) -> Response:
    """Check the token (or mint a demo one) and keep it in the session cookie."""
    form = await _form(request, session)
    settings = request.app.state.settings
    token = str(form.get("token") or "").strip()
    role = str(form.get("role") or "")
    if not token and role:
        if not settings.dev or role not in DEMO_ROLES:
            raise PermissionDeniedError("demo-roller finnes bare i utviklingsmodus (--dev)")
        from access_policy.synthetic import CLINICIANS

        _, scopes, clinician = DEMO_ROLES[role]
        demo_clinician = CLINICIANS[0]
        token = issue_dev_token(settings, scopes, subject=f"ui-{role}", hpr=demo_clinician.hpr if clinician else None,
                                org=demo_clinician.org if clinician else None, ttl_seconds=8 * 3600)
    if not token:
        return page(request, session, "login.html", 422, error="Lim inn et token.", roles={})
    try:
        caller = request.app.state.verifier.verify(token)
    except AuthenticationError as error:
        roles = {key: label for key, (label, _, _) in DEMO_ROLES.items()} if settings.dev else {}
        return page(request, session, "login.html", 401, error=f"Tokenet gjelder ikke: {error}", roles=roles)
    fresh = Session(token=token)  # a new CSRF token at sign-in
    who = f"HPR {caller.hpr}" if caller.hpr else caller.subject
    return redirect(request, fresh, "/ui/", f"Logget inn som {who}.")


@router.post("/logout")
@ui_route
async def logout(request: Request, session: Session) -> Response:
    """Forget the token and the child."""
    await _form(request, session)
    return redirect(request, Session(), "/ui/login", "Logget ut.")


# --- the child ----------------------------------------------------------------------------------


@router.get("/")
@ui_route
async def home(request: Request, session: Session) -> Response:
    """Look up a child by number (typed into a form)."""
    caller = _caller(request, session, SCOPE_FACTS_READ)
    return page(request, session, "home.html", caller=caller)


@router.post("/child")
@ui_route
async def choose_child(request: Request, session: Session) -> Response:
    """Remember the child whose number was typed in; the number stays out of the URL."""
    _caller(request, session, SCOPE_FACTS_READ)
    form = await _form(request, session)
    try:
        session.child = parse_person_id(str(form.get("child") or "").strip(), "child").value
    except InvalidInputError as error:
        return page(request, session, "home.html", 422, error=f"Ugyldig fødselsnummer: {error.problems[0].message if error.problems else error}")
    return redirect(request, session, "/ui/child")


def _names(facts: ChildFacts) -> dict[str, str]:
    """How the page names the child's people: by their parental responsibility and number."""
    names = {facts.child: f"barnet ({facts.child})"}
    if facts.representation is not None:
        for holder in facts.representation.holders:
            if holder.party is not None:
                names[holder.party] = f"forelder, foreldreansvar {RESPONSIBILITY_TEXT.get(holder.responsibility.value, '')} ({holder.party})"
    return names


def _status(fact: Any, now: datetime.datetime) -> str:
    if fact.revoked_at is not None and fact.revoked_at <= now:
        return "trukket tilbake"
    if fact.valid_from is not None and now < fact.valid_from:
        return "ikke startet"
    if fact.valid_until is not None and now >= fact.valid_until:
        return "utløpt"
    return "aktiv"


def _overview(request: Request, caller: Caller, child: str) -> dict[str, Any]:
    store, policy, records = request.app.state.store, request.app.state.policy, request.app.state.records
    now = datetime.datetime.now(datetime.timezone.utc)
    facts = store.child_facts(child)
    names = _names(facts)
    birth_date = facts.birth_date
    age = age_at(birth_date, now) if birth_date else None
    representation = facts.representation
    stale_at = representation.retrieved_at + policy.settings.max_representation_age if representation else None
    forms = [form for form in ui_forms.kind_forms()]
    kinds = []
    for form in forms:
        rows = []
        for record in records.list(child, FactKind(form.kind)):
            details = [(field.label, _value(field.name, getattr(record, field.name, None), names))
                       for field in form.fields if field.name not in ("valid_from", "valid_until")]
            rows.append({"fact": record, "details": details, "status": _status(record, now)})
        kinds.append({"form": form, "rows": rows, "offered": form.offered(age)})
    # What each instant does, by the policy itself: how many probe items each person sees before and after.
    probes = probe_items(facts)
    people = [party for party in names if party != child] + [child]
    horizon = []
    for change in changes_ahead(policy, facts, now):
        text = WHAT_TEXT[change.what].format(age=change.age, kind=_kind_label(change.kind or ""), fact=change.fact or "")
        counts = effect(policy, facts, people, probes, change.at, register_refreshed=change.what != "register-stale")
        shifts = [f"{names[party]}: {before} → {after}" for party, (before, after) in counts.items() if before != after]
        horizon.append({"at": change.at, "text": text, "shifts": shifts, "probes": len(probes)})
    parties = [(party, label) for party, label in names.items() if party != child]
    return {
        "facts": facts, "names": names, "age": age, "birth_date": birth_date,
        "birthdays": [(years, birthday(birth_date, years)) for years in (12, 16, 18)] if birth_date else [],
        "representation": representation, "stale_at": stale_at, "fresh": stale_at is not None and now < stale_at,
        "protection": PROTECTION_TEXT.get(representation.address_protection.value, "") if representation else None,
        "responsibility_text": RESPONSIBILITY_TEXT, "protection_text": PROTECTION_TEXT, "kinds": kinds,
        "status_text": STATUS_TEXT.get(representation.status.value, representation.status.value) if representation else None,
        "horizon": horizon, "parties": parties,
        "can_write": SCOPE_FACTS_WRITE in caller.scopes, "now": now,
        "history": records.representation_history(child)[1],
        "legal_bases_for": lambda options: ui_forms.legal_bases_for(options, age),
    }


@router.get("/child")
@ui_route
async def child_page(request: Request, session: Session) -> Response:
    """The child: age and age-band dates, register data, facts with history, create forms, what changes when."""
    caller = _caller(request, session, SCOPE_FACTS_READ)
    child = _child(session)
    return page(request, session, "child.html", caller=caller, **_overview(request, caller, child))


def _kind(kind: str) -> ui_forms.KindForm:
    for form in ui_forms.kind_forms():
        if form.kind == kind:
            return form
    raise InvalidInputError.for_field("kind", f"`{kind}` is not a kind of fact")


@router.post("/facts/{kind}")
@ui_route
async def create_fact(request: Request, session: Session, kind: str) -> Response:
    """Create a fact of one kind from its form; the author is the signed-in clinician."""
    caller = _caller(request, session, SCOPE_FACTS_WRITE)
    child = _child(session)
    form = await _form(request, session)
    kind_form = _kind(kind)
    try:
        draft = ui_forms.parse_form(kind_form, form)
    except ui_forms.FormError as error:
        context = _overview(request, caller, child)
        return page(request, session, "child.html", 422, caller=caller, form_errors={kind: error.problems},
                    form_values={kind: dict(form)}, **context)
    created = request.app.state.records.create(caller, child, FactKind(kind), draft)
    return redirect(request, session, "/ui/child", f"{kind_form.label} {created.record.id} er lagret.")


@router.post("/facts/{kind}/{fact_id}/revoke")
@ui_route
async def revoke_fact(request: Request, session: Session, kind: str, fact_id: str) -> Response:
    """Revoke a fact; it stays in the history."""
    caller = _caller(request, session, SCOPE_FACTS_WRITE)
    _child(session)  # a child must be chosen first
    form = await _form(request, session)
    kind_form = _kind(kind)
    reason = str(form.get("reason") or "").strip() or None
    release = str(form.get("release_confided") or "") == "true"
    request.app.state.records.revoke(caller, FactKind(kind), fact_id, reason=reason, release_confided=release)
    released = " Det som ble betrodd mens ønsket gjaldt, vises nå for foreldrene etter de vanlige reglene." if release else ""
    return redirect(request, session, "/ui/child", f"{kind_form.label} {fact_id} er trukket tilbake.{released}")


@router.post("/facts/{kind}/{fact_id}/restrict")
@ui_route
async def restrict_fact(request: Request, session: Session, kind: str, fact_id: str) -> Response:
    """Limit a fact to a period (a new record with the new validity replaces it)."""
    caller = _caller(request, session, SCOPE_FACTS_WRITE)
    child = _child(session)
    form = await _form(request, session)
    kind_form = _kind(kind)
    text = str(form.get("valid_until") or "").strip()
    if not text:
        raise InvalidInputError.for_field("valid_until", "velg når det skal slutte å gjelde")
    created = request.app.state.records.restrict(caller, child, FactKind(kind), fact_id, _parse_at(text))
    return redirect(request, session, "/ui/child",
                    f"{kind_form.label} {fact_id} er erstattet av {created.record.id}, som gjelder til {local(created.record.valid_until)}.")


# --- see as this parent -------------------------------------------------------------------------


def _items(text: str) -> list[Item]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInputError.for_field("items", f"ikke gyldig JSON ({error.msg}, linje {error.lineno})") from None
    if isinstance(data, dict) and data.get("resourceType") == "Bundle":
        return _bundle_items(data)
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list) or not 0 < len(data) <= MAX_PREVIEW_ITEMS:
        raise InvalidInputError.for_field("items", f"skal være en liste med 1–{MAX_PREVIEW_ITEMS} journalopplysninger")
    try:
        return TypeAdapter(list[Item]).validate_python(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInputError.for_field("items", f"journalopplysning {where}: {first['msg']}") from None


def _bundle_items(bundle: dict[str, Any]) -> list[Item]:
    """The items of a FHIR R4 Bundle, mapped as `POST /fhir/Bundle/$filter` maps them; an unmappable entry is refused."""
    from access_policy.fhir import Unmappable, item_from_resource, parse_resource

    entries = bundle.get("entry") or []
    if not isinstance(entries, list) or not 0 < len(entries) <= MAX_PREVIEW_ITEMS:
        raise InvalidInputError.for_field("items", f"Bundle skal ha 1–{MAX_PREVIEW_ITEMS} oppføringer")
    items = []
    for number, entry in enumerate(entries, 1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        try:
            items.append(item_from_resource(parse_resource(resource or {})))
        except Unmappable as error:
            raise InvalidInputError.for_field("items", f"oppføring {number} i Bundle kan ikke leses: {error.message}") from None
    return items


def _facts_by_id(facts: ChildFacts) -> dict[str, tuple[str, Any]]:
    found: dict[str, tuple[str, Any]] = {}
    for kind, spec in FACT_KINDS.items():
        for record in getattr(facts, spec.field):
            found[record.id] = (_kind_label(kind.value), record)
    return found


def _view(policy: Any, facts: ChildFacts, requester: str, items: list[Item], at: datetime.datetime, names: dict[str, str]) -> dict[str, Any]:
    decisions = decide_many(policy, facts, requester, items, at)
    by_id = _facts_by_id(facts)
    shown, hidden = [], []
    for item, decision in zip(items, decisions):
        if decision.permitted:
            shown.append({"item": item, "decision": decision})
            continue
        reasons = []
        for reason in decision.reasons:
            known = by_id.get(reason.fact or "")
            reasons.append({"reason": reason, "kind": known[0] if known else None, "fact": known[1] if known else None})
        hidden.append({"item": item, "decision": decision, "reasons": reasons})
    return {"requester": requester, "name": names.get(requester, requester), "shown": shown, "hidden": hidden}


def _parse_at(text: str) -> datetime.datetime:
    if not text:
        return datetime.datetime.now(datetime.timezone.utc)
    try:
        at = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInputError.for_field("at", f"`{text}` er ikke et tidspunkt") from None
    return at if at.tzinfo is not None else at.replace(tzinfo=OSLO)


@router.get("/preview")
@ui_route
async def preview_page(request: Request, session: Session) -> Response:
    """The form: who, when, which items."""
    caller = _caller(request, session, SCOPE_FACTS_READ)
    child = _child(session)
    facts = request.app.state.store.child_facts(child)
    names = _names(facts)
    # No default time in the field: a minute-precision "now" would lie before a change just made.
    return page(request, session, "preview.html", caller=caller, names=names, views=None, at_text="",
                items_text=json.dumps(SAMPLE_ITEMS, indent=1, ensure_ascii=False), chosen=list(names)[1:3])


@router.post("/preview")
@ui_route
async def preview(request: Request, session: Session) -> Response:
    """Show what each chosen person sees at that time, and why each hidden item is hidden."""
    caller = _caller(request, session, SCOPE_FACTS_READ)
    child = _child(session)
    form = await _form(request, session)
    facts = request.app.state.store.child_facts(child)
    names = _names(facts)
    upload = form.get("items_file")
    text = str(form.get("items") or "")
    if upload is not None and hasattr(upload, "read"):
        content = (await upload.read())[: 4 * 1024 * 1024]
        if content.strip():
            text = content.decode("utf-8", errors="replace")
    at_text = str(form.get("at") or "")
    chosen = [str(form.get(name) or "").strip() for name in ("requester_a", "requester_b")]
    chosen = [party for party in chosen if party]
    try:
        items = _items(text)
        at = _parse_at(at_text)
        if not chosen:
            raise InvalidInputError.for_field("requester_a", "velg hvem du vil se som")
        views = [_view(request.app.state.policy, facts, party, items, at, names) for party in chosen]
    except InvalidInputError as error:
        return page(request, session, "preview.html", 422, caller=caller, names=names, views=None, at_text=at_text,
                    items_text=text, chosen=chosen, error=str(error))
    return page(request, session, "preview.html", caller=caller, names=names, views=views, at=at, at_text=at_text,
                items_text=text, chosen=chosen)


# --- the change feed ----------------------------------------------------------------------------


@router.get("/changes")
@ui_route
async def changes_page(request: Request, session: Session, after: int | None = None) -> Response:
    """The change feed, as other health actors read it, page by page."""
    caller = _caller(request, session, SCOPE_FACTS_READ)
    changes, cursor = request.app.state.records.changes(after, 100)
    return page(request, session, "changes.html", caller=caller, changes=changes, cursor=cursor, after=after)


def install(app: FastAPI) -> None:
    """Add the clinician's view to an app: routes, static files and the session key."""
    app.state.ui_sessions = SessionCodec(load_or_create_key(app.state.settings.data_dir))
    app.mount("/ui/static", StaticFiles(directory=str(HERE / "static")), name="ui-static")
    app.include_router(router)
