# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The machine's entities that the connector synchronises, each named once.

Everything that goes through all of them derives from :data:`ENTITIES`: the
components that serve every binding model, the backend's imports (one
``coffee.import`` per backend and entity, in this order), the webhook's
events. A new entity is a folder under ``models/`` (its binding model and
the components it needs) plus one line here.
"""

from typing import NamedTuple


class Entity(NamedTuple):
    """One kind of record of the coffee machine."""

    #: the API resource, e.g. ``machines``; also the entity's name in code
    resource: str
    #: the binding model that holds the records in Odoo
    model: str
    #: what a person calls its records, e.g. ``Machines``
    label: str
    #: the webhook events announcing that a record of it changed
    events: tuple = ()


#: in import order: a full sync imports all but the last side by side, then
#: the last, which refers to the others (a brew to its machine, beverage and
#: user)
ENTITIES = (
    Entity("machines", "coffee.machine", "Machines", ("machine.state_changed",)),
    Entity("beverages", "coffee.product.product", "Beverages", ("beverage.updated",)),
    Entity("users", "coffee.res.partner", "Machine Users", ("user.updated",)),
    Entity("brews", "coffee.brew", "Brews", ("brew.finished", "brew.updated")),
)

BINDING_MODELS = [entity.model for entity in ENTITIES]
BY_RESOURCE = {entity.resource: entity for entity in ENTITIES}
BY_MODEL = {entity.model: entity for entity in ENTITIES}
BY_EVENT = {event: entity for entity in ENTITIES for event in entity.events}
