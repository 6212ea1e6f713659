"""Mapping an item code changes what runs write, so it takes the operator role on the server: through
POST /api/xref/mappings (token or session) and through the workbench's Map callback POSTed straight to
/_dash-update-component, operators and admins map (audited) and a viewer is refused with nothing stored; without a
session the answer is 401; bad input is a 400 naming the field and stores nothing."""

import pytest
import sqlalchemy as sa

import app
from potrack.store.models import AuditEvent, XrefMapping
from tests.support.callbacks import UPDATE, callback_body, prop, response_props
from tests.support.personas import client_as, persona_tokens

BUTTON = {"type": "xref-map", "source": "demo", "code": "ITM-00025"}
PART_BOX = {"type": "xref-part", "source": "demo", "code": "ITM-00025"}
TOAST_PROPS = ("is_open", "children", "icon")


def mappings(engine):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(XrefMapping.source, XrefMapping.item_code, XrefMapping.internal_part_id, XrefMapping.mapped_by)
        ).all()


def audited(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(AuditEvent.actor).where(AuditEvent.event_type == "xref.mapped")).scalars().all()


def post_mapping(web, role, body):
    token = persona_tokens(web.engine)[role]
    return app.server.test_client().post("/api/xref/mappings", json=body, headers={"Authorization": f"Bearer {token}"})


BODY = {"source": "demo", "item_code": "ITM-00025", "internal_part_id": "PART-25"}


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_operators_and_admins_map_through_the_api(web, role):
    answer = post_mapping(web, role, BODY)
    assert answer.status_code == 201, answer.get_json()
    mapping = answer.get_json()["mapping"]
    assert (mapping["internal_part_id"], mapping["mapped_by"]) == ("PART-25", f"token:{role}-token")
    assert mapping["verdict"] == f"mapped in potrack by token:{role}-token: applies from the next run"
    assert mappings(web.engine) == [("demo", "ITM-00025", "PART-25", f"token:{role}-token")]
    assert audited(web.engine) == [f"token:{role}-token"]


def test_a_viewer_is_refused_by_the_api_and_nothing_is_stored(web):
    answer = post_mapping(web, "viewer", BODY)
    assert answer.status_code == 403 and "may not map item codes to parts" in answer.get_json()["message"]
    assert mappings(web.engine) == [] and audited(web.engine) == []
    assert app.server.test_client().post("/api/xref/mappings", json=BODY).status_code == 401


def test_a_session_must_send_json(web):
    client = client_as("otto")
    assert client.post("/api/xref/mappings", data=BODY).status_code == 415
    assert client.post("/api/xref/mappings", json=BODY).status_code == 201


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({**BODY, "internal_part_id": "  "}, "internal_part_id"),
        ({k: v for k, v in BODY.items() if k != "item_code"}, "item_code"),
        ({**BODY, "item_code": "X" * 65}, "item_code"),
        ({**BODY, "internal_part_id": 25}, "internal_part_id"),
        ({**BODY, "source": "nowhere"}, "source"),
        ({**BODY, "colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(web, body, parameter):
    answer = post_mapping(web, "operator", body)
    assert answer.status_code == 400 and answer.get_json()["parameter"] == parameter, answer.get_json()
    assert mappings(web.engine) == []


def map_clicked(client, part="PART-25"):
    """The workbench's Map button of ITM-00025 clicked with a part id typed in its box."""
    outputs = [prop("xref-toast", p) for p in TOAST_PROPS] + [prop("xref-mapped", "data")]
    return callback_body(
        client,
        {"type": "xref-map", "source": ["ALL"], "code": ["ALL"]},
        outputs,
        [[prop(BUTTON, "n_clicks", 1)]],
        [[prop(PART_BOX, "value", part)], [prop(PART_BOX, "id", PART_BOX)], prop("xref-mapped", "data", 0)],
        [(BUTTON, "n_clicks")],
    )


@pytest.mark.parametrize("name", ["ada", "otto"])
def test_operators_and_admins_map_through_the_workbench(web, name):
    client = client_as(name)
    answer = client.post(UPDATE, json=map_clicked(client))
    shown = response_props(answer, "xref-toast")
    assert shown["icon"] == "success" and "ITM-00025 of demo is mapped to PART-25" in shown["children"]
    assert response_props(answer, "xref-mapped")["data"] == 1  # the list is drawn again
    assert mappings(web.engine) == [("demo", "ITM-00025", "PART-25", name)] and audited(web.engine) == [name]
    again = response_props(client.post(UPDATE, json=map_clicked(client, part="PART-26")), "xref-toast")
    assert "mapped to PART-26 (was PART-25); it applies from the next run" in again["children"]


def test_a_viewer_is_refused_by_the_workbench_and_without_a_session_it_is_401(web):
    client = client_as("vera")
    shown = response_props(client.post(UPDATE, json=map_clicked(client)), "xref-toast")
    assert shown["icon"] == "danger" and shown["children"].startswith("Refused: vera (viewer) may not map item codes")
    assert shown["children"].endswith("Nothing was mapped.")
    assert app.server.test_client().post(UPDATE, json=map_clicked(client_as("otto"))).status_code == 401
    assert mappings(web.engine) == []


def test_an_empty_part_id_is_refused_by_the_workbench(web):
    client = client_as("otto")
    shown = response_props(client.post(UPDATE, json=map_clicked(client, part="")), "xref-toast")
    assert shown["icon"] == "warning" and shown["children"] == "Not mapped: the internal part id is required."
    assert mappings(web.engine) == []
