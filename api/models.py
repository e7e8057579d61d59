"""Request and response models shared by the route modules (the fact types are reused where they fit)."""

from __future__ import annotations

from typing import Annotated, Any, Callable

from pydantic import AfterValidator, TypeAdapter, ValidationError, ValidatorFunctionWrapHandler, WrapValidator
from pydantic_core import InitErrorDetails, PydanticCustomError

from access_policy.errors import InvalidInputError
from access_policy.facts import Item
from access_policy.identity import parse_party_id, parse_person_id


def _typed_errors(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    # The fact types raise InvalidIdError from inside pydantic, which would escape validation;
    # as a pydantic error it keeps the object's location (e.g. `item`) in the 422 problem.
    try:
        return handler(value)
    except InvalidInputError as error:
        # The message names the inner field (e.g. "`organisation`: …"); the location names the outer one.
        raise PydanticCustomError("invalid_id", "{message}", {"message": error.message}) from None


def _id_check(parse: Callable[[str], str]) -> Callable[[str], str]:
    def check(value: str) -> str:
        try:
            return parse(value)
        except InvalidInputError as error:
            message = error.problems[0].message if error.problems else error.message
            raise PydanticCustomError("invalid_id", "{message}", {"message": message}) from None

    return check


TypedErrors = WrapValidator(_typed_errors)

_ITEM = TypeAdapter(Item)


def _typed_item_list_errors(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    # A wrapper per item would double the cost of a 10,000-item batch; instead the whole list is
    # validated at once and only when an id check fails are the items gone through to find which.
    try:
        return handler(value)
    except InvalidInputError as error:
        errors: list[InitErrorDetails] = []
        for index, entry in enumerate(value if isinstance(value, list) else ()):
            try:
                _ITEM.validate_python(entry)
            except InvalidInputError as found:
                field = found.problems[0].field if found.problems else "item"
                message = found.problems[0].message if found.problems else found.message
                errors.append(InitErrorDetails(
                    type=PydanticCustomError("invalid_id", "{message}", {"message": message}),
                    loc=(index, field),
                    input=entry,
                ))
            except ValidationError:
                continue  # reported by the handler once the id is fixed
        if not errors:
            raise PydanticCustomError("invalid_id", "{message}", {"message": error.message}) from None
        raise ValidationError.from_exception_data("items", errors) from None


ItemList = Annotated[list[Item], WrapValidator(_typed_item_list_errors)]
PersonIdField = Annotated[str, AfterValidator(_id_check(lambda v: parse_person_id(v).value))]
PartyIdField = Annotated[str, AfterValidator(_id_check(parse_party_id))]
