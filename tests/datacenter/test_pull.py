"""The center pulls a data set from a department's HTTP endpoint (a real local HTTP server)."""

import http.server
import ipaddress
import re
import socket
import threading

import pytest
from django.core.exceptions import ValidationError

from datacenter import services
from tests.datacenter.factories import city_with_center, csv_bytes, make_dataset, records, row

pytestmark = pytest.mark.django_db

BODY = csv_bytes([row(i) for i in range(30)], encoding="gb18030")


class Handler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):
        Handler.requests.append(self.path)
        if self.path.startswith("/moved"):  # a redirect to the machine's other loopback address
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.2:{self.server.server_address[1]}/stores.csv")
            self.end_headers()
            return
        if self.path.startswith("/ftp"):  # a redirect off the web, to a protocol urllib would also follow
            self.send_response(302)
            self.send_header("Location", f"ftp://127.0.0.2:{self.server.server_address[1]}/stores.csv")
            self.end_headers()
            return
        body = BODY if self.path.startswith("/stores") else b"x" * 5000
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        if self.path.startswith("/cut"):  # promises more than it sends, then hangs up
            self.send_header("Content-Length", str(len(body) + 1000))
        elif self.path.startswith("/odd"):
            self.send_header("Content-Length", "lots")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def department_server(settings):
    """A department's server, on this machine's loopback: the test lets pulls reach 127.0.0.1 (and only it)."""
    settings.DATACENTER_PULL_BLOCKED_NETWORKS = ["127.0.0.2/32", "169.254.0.0/16"]
    Handler.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_nightly_pull_loads_what_the_department_publishes_and_a_repeat_changes_nothing(department_server):
    dataset = make_dataset(city_with_center()["commerce"], pull_url=f"{department_server}/stores.csv")
    assert services.datasets_pull_all() == {"queued": 1, "failed": 0}
    job = dataset.jobs.get()
    services.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.encoding, job.rows_inserted, job.original_name) == (
        "succeeded",
        "GB18030",
        30,
        "stores.csv",
    )
    services.datasets_pull_all()
    again = dataset.jobs.exclude(pk=job.pk).get()
    services.job_run(job_id=again.pk)
    again.refresh_from_db()
    assert again.duplicate_of == job
    assert len(records()) == 30


def test_a_published_file_over_the_limit_is_refused_by_its_declared_length(department_server, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    dataset = make_dataset(city_with_center()["commerce"], pull_url=f"{department_server}/big.csv")
    with pytest.raises(ValidationError, match="larger than"):
        services.dataset_pull(dataset=dataset, actor=None)
    assert not dataset.jobs.exists()


def test_only_web_addresses_are_pulled():
    with pytest.raises(ValidationError):
        make_dataset(city_with_center()["commerce"], pull_url="file:///etc/passwd")
    dataset = make_dataset(city_with_center()["commerce"])
    type(dataset).objects.filter(pk=dataset.pk).update(pull_url="file:///etc/passwd")  # as a bad row could be
    dataset.refresh_from_db()
    with pytest.raises(ValidationError, match="http"):
        services.dataset_pull(dataset=dataset, actor=None)


def test_a_server_that_cuts_the_file_short_is_a_clear_error_and_the_others_are_still_pulled(department_server):
    units = city_with_center()
    cut = make_dataset(units["commerce"], "cut", pull_url=f"{department_server}/cut/stores.csv")
    with pytest.raises(ValidationError) as refused:
        services.dataset_pull(dataset=cut, actor=None)
    assert "pull_url" in refused.value.message_dict
    make_dataset(units["eitc"], "fine", pull_url=f"{department_server}/stores.csv")
    assert services.datasets_pull_all() == {"queued": 1, "failed": 1}


def test_a_malformed_content_length_is_no_length(department_server):
    dataset = make_dataset(city_with_center()["commerce"], pull_url=f"{department_server}/odd/stores.csv")
    job = services.dataset_pull(dataset=dataset, actor=None)  # read to its end instead of a crash
    assert job.size_bytes == 5000  # the whole body this server sends for it


def test_a_pull_may_not_reach_the_machine_itself(department_server, settings):
    settings.DATACENTER_PULL_BLOCKED_NETWORKS = ["127.0.0.0/8", "::1/128"]  # the default's loopback
    dataset = make_dataset(city_with_center()["commerce"], pull_url=f"{department_server}/stores.csv")
    with pytest.raises(ValidationError) as refused:
        services.dataset_pull(dataset=dataset, actor=None)
    assert "127.0.0.1" in refused.value.message_dict["pull_url"][0]
    assert Handler.requests == []  # connected, checked and closed before a byte of the request was sent
    assert not dataset.jobs.exists()


def test_a_redirect_to_a_forbidden_address_is_refused(department_server):
    second = http.server.ThreadingHTTPServer(("127.0.0.2", int(department_server.rsplit(":", 1)[1])), Handler)
    threading.Thread(target=second.serve_forever, daemon=True).start()
    try:
        dataset = make_dataset(city_with_center()["commerce"], pull_url=f"{department_server}/moved.csv")
        with pytest.raises(ValidationError, match=r"127\.0\.0\.2"):
            services.dataset_pull(dataset=dataset, actor=None)
    finally:
        second.shutdown()
        second.server_close()
    assert Handler.requests == ["/moved.csv"]  # the allowed server was asked; the forbidden one never was
    assert not dataset.jobs.exists()


@pytest.mark.parametrize(
    ("address", "forbidden"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),  # the loopback written as an IPv6 address
        ("169.254.169.254", True),  # a cloud's metadata service
        ("fe80::1%eth0", True),
        ("0.0.0.0", True),  # noqa: S104 - an address checked, not bound
        ("10.20.30.40", False),  # departments' servers on the intranet
        ("192.168.1.5", False),
        ("172.16.0.9", False),
        ("203.0.113.7", False),
    ],
)
def test_the_default_forbidden_networks_keep_the_intranet_reachable(address, forbidden):
    from datacenter.remote import is_forbidden

    assert is_forbidden(address) is forbidden


def test_a_redirect_off_the_web_is_refused(department_server):
    dataset = make_dataset(city_with_center()["commerce"], pull_url=f"{department_server}/ftp.csv")
    with pytest.raises(ValidationError, match="ftp://"):
        services.dataset_pull(dataset=dataset, actor=None)
    assert not dataset.jobs.exists()


def test_a_proxy_in_the_environment_is_not_used(department_server, monkeypatch):
    # Through a proxy the connection checked would be the proxy's; the pull connects to the department itself.
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")  # nothing listens there: a proxy used would fail
    dataset = make_dataset(city_with_center()["commerce"], pull_url=f"{department_server}/stores.csv")
    assert services.dataset_pull(dataset=dataset, actor=None).size_bytes == len(BODY)


def outbound_address() -> str:
    """This machine's own address on its network (the UDP socket sends nothing)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        return str(probe.getsockname()[0])
    finally:
        probe.close()


def test_a_pull_may_not_reach_the_machine_by_its_own_network_address(settings):
    settings.DATACENTER_PULL_BLOCKED_NETWORKS = []  # no list names it: the connection's two ends are one address
    own = outbound_address()
    assert not ipaddress.ip_address(own).is_loopback
    server = http.server.ThreadingHTTPServer((own, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Handler.requests = []
    try:
        dataset = make_dataset(
            city_with_center()["commerce"], pull_url=f"http://{own}:{server.server_address[1]}/stores.csv"
        )
        with pytest.raises(ValidationError, match=re.escape(own)):
            services.dataset_pull(dataset=dataset, actor=None)
    finally:
        server.shutdown()
        server.server_close()
    assert Handler.requests == []
