"""Listening rounds read incrementally: cursors are stored in the workspace state and survive a restart."""

from __future__ import annotations

from datetime import timedelta

from ascolto_core.listening import run_round, state
from ascolto_core.workspace import Workspace
from fetch_fixtures.server import FixtureServer, Reply, server  # noqa: F401
from test_listen import EVENING, feed_reply, hook_url, make_workspace, receiver  # noqa: F401

ETAG = '"round-1"'


def test_a_restarted_listener_resumes_from_the_stored_cursor(tmp_path, server: FixtureServer, receiver: FixtureServer) -> None:
    calm = feed_reply(EVENING, server.base, spike=False)
    tagged = Reply(body=calm.body, content_type=calm.content_type, headers=(("ETag", ETAG),))
    server.route("GET", "/feed.xml", tagged, Reply(status=304))
    workspace = make_workspace(tmp_path, [server.url("/feed.xml")], [hook_url(receiver)])
    first = run_round(workspace, now=EVENING)
    assert [s.new for s in first.sources] == [63]
    stored = workspace.get_state(state.CURSORS)["feed0"]["cursor"]
    assert stored["etag"] == ETAG and len(stored["seen"]) == 63

    reopened = Workspace.open(workspace.path)  # a restart: the cursor comes from disk
    second = run_round(reopened, now=EVENING + timedelta(minutes=15))
    asked = server.hits("/feed.xml")
    assert "if-none-match" not in asked[0].headers
    assert asked[1].headers["if-none-match"] == ETAG  # only what changed since the first round
    assert [(s.status, s.new) for s in second.sources] == [("nothing_new", 0)]
    assert reopened.get_state(state.CURSORS)["feed0"]["cursor"] == stored


def test_a_changed_source_starts_afresh(tmp_path, server: FixtureServer, receiver: FixtureServer) -> None:
    calm = feed_reply(EVENING, server.base, spike=False)
    server.route("GET", "/feed.xml", Reply(body=calm.body, content_type=calm.content_type, headers=(("ETag", ETAG),)))
    server.route("GET", "/other.xml", Reply(body=calm.body, content_type=calm.content_type))
    workspace = make_workspace(tmp_path, [server.url("/feed.xml")], [hook_url(receiver)])
    run_round(workspace, now=EVENING)
    settings = workspace.settings().to_dict()
    settings["sources"]["rss"][0]["url"] = server.url("/other.xml")  # same name, another feed
    workspace.set_settings(settings)
    run_round(workspace, now=EVENING + timedelta(minutes=15))
    assert "if-none-match" not in server.hits("/other.xml")[0].headers  # the old feed's validator is not sent
