from django.db import models


def model_update(*, instance: models.Model, data: dict) -> models.Model:
    """Write the given fields (many-to-many ones included) of an instance, saving only what changed."""
    changed = []
    for name, value in data.items():
        field = instance._meta.get_field(name)
        if field.many_to_many:
            getattr(instance, name).set(value)
        elif getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    if changed:
        instance.save(update_fields=changed)
    return instance
