"""The deployment files and the production settings' refusals."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY_ENV = {"SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "portal.example.gov.cn", "POSTGRES_PASSWORD": "pw"}


def compose_command() -> list[str]:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    pytest.fail("docker compose is missing: `make test` installs docker-compose as root")


def compose_config(env: dict[str, str], dot_env: str = "") -> subprocess.CompletedProcess[str]:
    """`compose config` on a copy of the compose file, with the .env an operator would put beside it."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(ROOT / "docker-compose.yml", folder)
        Path(folder, ".env").write_text(dot_env, encoding="utf-8")
        return subprocess.run(
            [*compose_command(), "-f", str(Path(folder, "docker-compose.yml")), "config"],
            capture_output=True, text=True, cwd="/", env={"PATH": os.environ["PATH"], **env},
        )  # fmt: skip


def test_docker_compose_accepts_the_file_and_runs_every_part():
    result = compose_config(DEPLOY_ENV)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    assert {"postgres", "redis", "web", "worker", "ingest", "beat"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert "gunicorn" in services["web"]["command"]
    # Loads have workers of their own: the default queue's tasks never wait behind a long load.
    assert "ingest" not in services["worker"]["command"]
    assert services["ingest"]["command"][services["ingest"]["command"].index("-Q") + 1] == "ingest"
    for name in ("postgres", "redis", "web", "worker", "ingest"):
        assert "healthcheck" in services[name], name
    assert {"pgdata", "redisdata", "media"} <= set(config["volumes"])


def test_every_setting_of_the_env_file_reaches_the_portal_and_it_listens_on_the_loopback_only():
    result = compose_config(DEPLOY_ENV, dot_env="TRUSTED_PROXY_COUNT=1\nMETRICS_TOKEN=abc\n")
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    for name in ("web", "worker", "beat", "migrate"):
        environment = services[name]["environment"]
        assert (environment["TRUSTED_PROXY_COUNT"], environment["METRICS_TOKEN"]) == ("1", "abc"), name
    ports = services["web"]["ports"]  # "ip:host:container" (compose v1) or a mapping (v2)
    assert ports
    assert all((p["host_ip"] if isinstance(p, dict) else p.split(":")[0]) == "127.0.0.1" for p in ports)


def test_docker_compose_refuses_to_start_without_the_secrets():
    result = compose_config({k: v for k, v in DEPLOY_ENV.items() if k != "SECRET_KEY"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def load_production_settings(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": "postgres://u@localhost/db",
        "REDIS_URL": "redis://localhost:6379/0",
        **DEPLOY_ENV,
        **overrides,
    }
    code = "import config.settings.production as s; print('loaded', s.DEBUG)"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)


def test_production_settings_load_with_a_safe_configuration():
    result = load_production_settings()
    assert result.returncode == 0, result.stderr
    assert "loaded False" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"DEBUG": "true"}, "DEBUG must be off"),
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "change-me"}, "SECRET_KEY must be set"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must name"),
    ],
)
def test_production_settings_refuse_an_unsafe_configuration(overrides, complaint):
    result = load_production_settings(**overrides)
    assert result.returncode != 0
    assert complaint in result.stderr
