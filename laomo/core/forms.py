from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.renderers import TemplatesSetting


def apply_validation_error(form, exc: ValidationError) -> None:
    """Put a service's ValidationError onto a form: field errors on fields, the rest on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


__all__ = ["apply_validation_error", "NON_FIELD_ERRORS", "FormRenderer"]


class FormRenderer(TemplatesSetting):
    """Django's renderer reading the project's templates, with the one field template of every form."""

    field_template_name = "forms/field.html"
