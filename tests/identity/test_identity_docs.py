"""The token-issuing examples of docs/identity.md, run as written against a real gateway."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gateway.kernel import VisitorId
from tests.support.appclient import Gateway
from tests.support.identity_helpers import IDENTIFY, new_device
from tests.support.settings import TEST_IDENTITY_SECRET

DOC = Path(__file__).resolve().parents[2] / "docs" / "identity.md"


def block(language: str) -> str:
    """The example under 'Issuing identity tokens' in that language."""
    section = DOC.read_text().split("## Issuing identity tokens", 1)[1].split("\n## ", 1)[0]
    found = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert found is not None, f"no {language} example in docs/identity.md"
    return found.group(1)


async def linked_with(gw: Gateway, issue: Any) -> tuple[dict[str, Any], VisitorId | None]:
    device = await new_device(gw)
    token = issue(TEST_IDENTITY_SECRET, device.visitor_id, "cust-doc", "Doc@Example.com")
    answer = (await device.gql(IDENTIFY, {"k": token}))["identify"]
    owner = await gw.runtime.services.directory.owner_of("customer:cust-doc")
    return answer, owner


async def test_the_python_example_issues_tokens_the_gateway_accepts(gateway: Gateway) -> None:
    scope: dict[str, Any] = {}
    exec(block("python"), scope)
    answer, owner = await linked_with(gateway, scope["identity_token"])
    assert answer["accepted"] and answer["code"] is None and owner == VisitorId(answer["profileId"])


async def test_the_node_example_issues_tokens_the_gateway_accepts(gateway: Gateway) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the Node example cannot run here")

    def issue(secret: str, visitor_id: str, customer_id: str, email: str) -> str:
        script = (
            block("js")
            + f"\nprocess.stdout.write(identityToken({secret!r}, {visitor_id!r}, {customer_id!r}, {email!r}));"
        )
        return subprocess.run([node, "-e", script], capture_output=True, text=True, check=True).stdout

    answer, owner = await linked_with(gateway, issue)
    assert answer["accepted"] and answer["code"] is None and owner == VisitorId(answer["profileId"])
