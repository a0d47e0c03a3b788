"""Browser fixtures: Debian's Chromium driven by Playwright, one context per person.

Chromium is ``/usr/bin/chromium`` (installed by .ci/run); Playwright never
downloads a browser here.  axe-core is vendored in tests/browser/vendor/axe-core
(version, licence and sha256 in its README): nothing is fetched at test time.
Screenshots go to tests/artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from support import Server, wait_until

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SHOTS = ROOT / "tests" / "artifacts" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() == "true"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1366, "height": 860}}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


AXE = HERE / "vendor" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's source, vendored (tests/browser/vendor/axe-core/README.md says which version and how to update it)."""
    return AXE.read_text(encoding="utf-8")


def axe_violations(page, axe_source: str) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page; return the violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source + "\n;undefined")  # an inline <script> tag would be blocked by our CSP
    return page.evaluate(
        """async () => {
            // what a person reads is the end of a fade-in, not its first frame: let finite animations finish
            await Promise.all(document.getAnimations().filter(a => a.effect && a.effect.getTiming().iterations !== Infinity)
                .map(a => a.finished.catch(() => null)));
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }"""
    )


@pytest.fixture
def axe(axe_source):
    def check(page):
        violations = axe_violations(page, axe_source)
        assert violations == [], "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n  " + "\n  ".join(v["nodes"]) for v in violations)

    return check


@pytest.fixture
def shot():
    """Save a screenshot under tests/artifacts/screenshots/<name>.png (full page)."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = True) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def live_server(tmp_path):
    # The grouping assistant's real model is left out of the screens' tests (its own tests run it): the
    # board and the walls are checked as they are, without suggestions arriving at their own pace.
    srv = Server(tmp_path, extra_env={"WORKSHOP_ASSIST_EMBEDDER": "none"}).start()
    yield srv
    srv.stop()


@pytest.fixture
def workshop(live_server):
    """The workshop ``workshop serve`` created from the default plan: urls, code and token."""
    out = wait_until(lambda: re.search(r"/f/([A-Za-z0-9_-]+)", live_server.output()) and live_server.output())
    token = re.search(r"/f/([A-Za-z0-9_-]+)", out).group(1)
    code = re.search(r"/j/([A-Z0-9]+)", out).group(1)
    moderator = re.search(r"/m/([A-Za-z0-9_-]+)", out).group(1)
    scribe = re.search(r"/e/([A-Za-z0-9_-]+)", out).group(1)
    base = live_server.url
    return {
        "moderator_token": moderator,
        "scribe_token": scribe,
        "moderation": f"{base}/m/{moderator}",
        "scribe": f"{base}/e/{scribe}",
        "server": live_server,
        "base": base,
        "code": code,
        "token": token,
        "console": f"{base}/f/{token}",
        "screen": f"{base}/s/{code}",
        "join": f"{base}/j/{code}",
    }


@pytest.fixture
def new_context(browser):
    """Open a browser context (a phone, a laptop, a projector); all closed at the end."""
    contexts = []

    def make(kind: str = "phone", **options):
        base = {"phone": PHONE, "desktop": DESKTOP, "projector": PROJECTOR}[kind]
        ctx = browser.new_context(**{**base, "locale": "fr-FR", **options})
        ctx.set_default_timeout(15000)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()
