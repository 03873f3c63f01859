"""The grading kernel: its guard restores and reports tampering, signs clean checks, and its limits hold.

One sandboxed kernel serves the guard tests (each test starts with a clean check); the limit tests
start their own.
"""
import asyncio
import time

import pytest

from tools.grading.in_sandbox.grading_kernel import TOKEN_MIME
from tools.grading.settings import GradingSettings
from tools.grading.worker.bubblewrap import bwrap_path
from tools.grading.worker.fork_server_client import ForkedProcess
from tools.grading.worker.kernel_manager import GradingKernelManager
from tools.grading.worker.preprocessors.verify_checks import token_for

SANDBOXED = bwrap_path() is not None
pytestmark = [pytest.mark.kernel, pytest.mark.sandbox]


class Kernel:
    """A grading kernel and a client, driven synchronously."""

    def __init__(self, start: dict | None = None, **settings):
        """A kernel of these settings, started with nbclient's keyword arguments `start` (extra_arguments, cwd)."""
        self.loop = asyncio.new_event_loop()
        settings = GradingSettings(**{"sandboxed": SANDBOXED, "prestart": False, **settings})
        self.manager = GradingKernelManager(kernel_name="python3", settings=settings)
        self.loop.run_until_complete(self.manager.start_kernel(**(start or {})))
        self.client = self.manager.client()
        self.client.start_channels()
        self.loop.run_until_complete(self.client.wait_for_ready(timeout=120))

    def run(self, code: str, timeout: float = 60):
        """(stdout text, error or None, tokens) of running `code` as one cell."""
        out = {"text": "", "error": None, "tokens": []}

        def hook(message):
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                out["text"] += content["text"]
            elif kind == "error":
                out["error"] = f"{content['ename']}: {content['evalue']}"
            elif kind == "display_data" and TOKEN_MIME in content["data"]:
                out["tokens"].append(content["data"][TOKEN_MIME])
        self.loop.run_until_complete(self.client.execute_interactive(code, output_hook=hook, timeout=timeout))
        return out["text"], out["error"], out["tokens"]

    def run_until_stopped(self, code: str, limit: float = 60) -> str:
        """Start `code` and wait until the watchdog stops the kernel; return its reason."""
        self.client.execute(code)
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and self.loop.run_until_complete(self.manager.is_alive()):
            time.sleep(0.2)
        return self.manager.stop_reason

    def check(self, cell_id: str, body: str = "pass", aliases=None):
        """Run a graded cell the way GuardTestCells wraps it."""
        return self.run(f"__grading__.begin({cell_id!r}, {aliases or {}!r})\n{body}\n__grading__.end({cell_id!r})")

    def close(self):
        self.client.stop_channels()
        self.loop.run_until_complete(self.manager.shutdown_kernel(now=True))
        self.loop.close()


@pytest.fixture(scope="module")
def kernel():
    k = Kernel()
    yield k
    k.close()


def tamper_then_check(kernel, cell_id, tamper):
    assert kernel.run(tamper)[1] is None
    return kernel.check(cell_id)


def test_a_clean_check_gets_a_valid_token(kernel):
    text, error, tokens = kernel.check("clean-check", "print('ran')")
    assert (text, error) == ("ran\n", None)
    assert tokens == [{"cell": "clean-check", "token": token_for(kernel.manager.token_key, "clean-check")}]


def test_a_failing_check_gets_no_token(kernel):
    _, error, tokens = kernel.check("failing-check", "assert 1 == 2, 'no'")
    assert error == "AssertionError: no" and tokens == []


@pytest.mark.parametrize("tamper, reported", [
    ("import torch\ntorch.allclose = lambda *a, **k: True", "torch.allclose was replaced"),
    ("import torch\ntorch.Tensor.__le__ = lambda self, other: True", "torch.Tensor.__le__ was"),
    ("import course_utils.checks\ncourse_utils.checks._fail = lambda *a: None", "course_utils.checks._fail was replaced"),
    ("import builtins\nbuiltins.round = lambda *a, **k: 0", "builtins.round was replaced"),
    ("import torch\nt = torch.zeros(2)\nt.mean = lambda *a: 0", "tensor method 'mean' was overridden"),
    ("from torch.overrides import TorchFunctionMode\nTorchFunctionMode().__enter__()", "torch function mode"),
    ("from torch.utils._python_dispatch import TorchDispatchMode\nTorchDispatchMode().__enter__()", "torch dispatch mode"),
    ("get_ipython().set_custom_exc((Exception,), lambda *a, **k: None)", "custom exception handler"),
    ("get_ipython().showtraceback = lambda *a, **k: None", "showtraceback was overridden"),
    ("import sys\nsys.settrace(lambda *a: None)", "trace function"),
    ("from IPython.core.interactiveshell import InteractiveShell\nInteractiveShell.run_code = InteractiveShell.run_code",
     None),
])
def test_tampering_is_undone_and_costs_the_next_check(kernel, tamper, reported):
    name = f"tamper-{abs(hash(tamper))}"
    _, error, tokens = tamper_then_check(kernel, f"{name}-check", tamper)
    if reported is None:                      # assigning a method its own value changes nothing
        assert error is None and tokens
        return
    assert error is not None and "GradingTamperError" in error and reported in error, error
    assert tokens == []
    _, error, tokens = kernel.check(f"{name}-next-check")
    assert error is None and tokens, "the environment was not restored"


@pytest.mark.parametrize("prestart", [False, True], ids=["launched", "forked"])
def test_the_notebooks_folder_and_ipykernels_arguments_reach_the_kernel(tmp_path, prestart):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "handed-in.txt").write_text("beside the notebook")
    k = Kernel(start={"extra_arguments": ["--IPKernelApp.exec_lines=['GIVEN = 42']"], "cwd": str(tmp_path)},
               prestart=prestart)
    try:
        text, error, _ = k.run("import os\nprint(GIVEN, open('data/handed-in.txt').read(), os.getcwd() != %r)"
                               % str(tmp_path))
    finally:
        k.close()
    assert (text, error) == ("42 beside the notebook True\n", None), "a working copy, not the folder itself"


def test_a_tensor_subclass_costs_every_check_while_it_exists():
    k = Kernel()
    try:
        k.run("import torch\nclass Liar(torch.Tensor):\n    pass\nliar = torch.zeros(1).as_subclass(Liar)")
        for cell_id in ("first-check", "second-check"):
            _, error, tokens = k.check(cell_id)
            assert "Liar, a subclass of torch.Tensor" in error and tokens == []
    finally:
        k.close()


def test_tampering_from_inside_a_check_is_caught_at_its_end(kernel):
    kernel.run("import torch\ndef sneaky():\n    torch.equal = lambda *a: True\n    return 1")
    _, error, tokens = kernel.check("sneaky-check", "sneaky()")
    assert "torch.equal was replaced" in error and "while check sneaky-check ran" in error and tokens == []


def test_the_guard_refuses_calls_from_notebook_code(kernel):
    kernel.run("def forge():\n    __grading__.end('forged-check')")
    _, error, tokens = kernel.run("__grading__.begin('forged-check', {})\nforge()")
    assert "called by the notebook's own code" in error and tokens == []
    _, error, tokens = kernel.run("__grading__.end('never-begun-check')")
    assert "out of order" in error and tokens == []


def test_libraries_may_rebind_their_own_names(kernel):
    _, error, _ = kernel.run("import torchvision")      # torch._dynamo wraps torch.manual_seed on import
    assert error is None
    _, error, tokens = kernel.check("library-check")
    assert error is None and tokens


def test_shadowed_builtins_and_module_names_are_put_right_silently(kernel):
    kernel.run("max = 5\nF = 'not a module'")
    text, error, tokens = kernel.check("names-check", "print(max(1, 2), F.__name__)", {"F": "torch.nn.functional"})
    assert (text, error) == ("2 torch.nn.functional\n", None) and tokens


def test_the_kernel_sees_only_its_own_folder():
    if not SANDBOXED:
        pytest.skip("bubblewrap is not installed")
    k = Kernel()
    try:
        text, error, _ = k.run("import os, pathlib, course_utils\n"
                               "print(os.getcwd() == str(pathlib.Path.cwd()), sorted(os.listdir('..')))\n"
                               "print(sorted(os.listdir(pathlib.Path(course_utils.__file__).parents[1])))")
        assert error is None
        lines = text.splitlines()
        assert "work" in lines[0] and "kernel.json" in lines[0]
        assert "solutions" not in lines[1] and "tools" not in lines[1], "the instructor's repository is visible"
    finally:
        k.close()


def test_a_kernel_over_its_memory_limit_is_stopped_with_the_reason():
    k = Kernel(memory_gb=1_500 / 1024)
    try:
        reason = k.run_until_stopped("import numpy\nblocks = [numpy.ones(2**27) for _ in range(8)]")
    finally:
        k.close()
    assert "more than 1.5 GiB of memory" in reason


def test_a_kernel_over_its_time_limit_is_stopped_with_the_reason():
    k = Kernel(notebook_timeout=6, prestart=True)     # forked: its imports are done before the clock starts
    try:
        reason = k.run_until_stopped("import time\ntime.sleep(60)")
    finally:
        k.close()
    assert "longer than 6 s" in reason


def test_kernels_forked_from_one_server_find_nothing_of_each_other():
    if not SANDBOXED:
        pytest.skip("bubblewrap is not installed")
    first = Kernel(prestart=True)
    try:
        assert isinstance(first.manager.provisioner.kernel.process, ForkedProcess)
        server = first.manager.provisioner.kernel.process._server
        _, error, _ = first.run(
            "import os, subprocess, pathlib\n"
            "for folder in ('/tmp', '/dev/shm', '..', '/grading'):\n"
            "    pathlib.Path(folder, 'left-behind').write_text('for the next kernel')\n"
            "subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
            "os.system('setsid sleep 301 >/dev/null 2>&1 &')")
        assert error is None
        assert any("sleep" in " ".join(p.cmdline()) for p in server.strays())
    finally:
        first.close()
    assert server.strays() == [], "processes a kernel started outlived it"
    second = Kernel(prestart=True)
    try:
        assert second.manager.provisioner.kernel.process._server is server, "the second kernel was not forked from the server"
        text, error, _ = second.run(
            "import os, glob\n"
            "print(sorted(glob.glob('/tmp/*') + glob.glob('/dev/shm/*') + glob.glob('../*') + glob.glob('/grading/*')))\n"
            "print(sorted(p for p in os.listdir('/proc') if p.isdigit() and 'sleep' in open(f'/proc/{p}/cmdline').read()))")
        assert error is None
        assert "left-behind" not in text and text.splitlines()[1] == "[]", text
    finally:
        second.close()


def test_a_kernel_cannot_reach_into_its_fork_server_and_a_killed_server_is_replaced():
    if not SANDBOXED:
        pytest.skip("bubblewrap is not installed")
    k = Kernel(prestart=True)
    try:
        assert isinstance(k.manager.provisioner.kernel.process, ForkedProcess)
        text, error, _ = k.run(
            "import os\n"
            "for name in ('mem', 'environ', 'fd/0'):\n"
            "    try:\n"
            "        open(f'/proc/{os.getppid()}/{name}', 'rb').close()\n"
            "        print(name, 'readable')\n"
            "    except OSError as error:\n"
            "        print(name, 'refused')\n")
        assert error is None
        assert text.split() == ["mem", "refused", "environ", "refused", "fd/0", "refused"], text
        k.client.execute("import os\nos.kill(os.getppid(), 9)")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and k.loop.run_until_complete(k.manager.is_alive()):
            time.sleep(0.1)
        assert not k.loop.run_until_complete(k.manager.is_alive()), "a kernel outlived its fork server"
    finally:
        k.close()
    replaced = Kernel(prestart=True)          # started on its own while a new server starts
    try:
        assert replaced.run("print(1 + 1)")[:2] == ("2\n", None)
    finally:
        replaced.close()
    forked = Kernel(prestart=True)
    try:
        assert isinstance(forked.manager.provisioner.kernel.process, ForkedProcess)
        assert forked.run("print(2 + 2)")[:2] == ("4\n", None)
    finally:
        forked.close()
