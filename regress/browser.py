# regress/browser.py: headless Chromium for the tests of the HTML report,
# driven over the Chrome DevTools protocol on a pipe (--remote-debugging-
# pipe: JSON messages ended by a NUL byte on fds 3 and 4), with nothing but
# Python's standard library. Not a test.
#
#	b = Browser(tmp)		start Chromium: headless, a profile in
#					tmp, no network (its own network
#					namespace when unshare(1) can make one,
#					and a proxy that goes nowhere)
#	b.open(url)			load a page and wait for its load event
#	b.eval(js)			the value of a JavaScript expression
#					(promises awaited)
#	b.wait(js, what)		poll until js is true (10 s)
#	b.screenshot(path)		save a PNG of the page
#	b.requests			every URL the page asked for
#	b.dialogs			every alert/confirm/prompt it opened
#	b.violations			every Content-Security-Policy violation
#	b.errors			uncaught JavaScript exceptions
#	b.close()
#
# The CSP violations are caught by a listener put in every document before
# its own scripts run (Page.addScriptToEvaluateOnNewDocument, which the
# page's policy does not govern).

import base64
import fcntl
import json
import os
import shutil
import subprocess
import time

CHROMIUM = os.environ.get("CHROMIUM", "chromium")

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--no-default-browser-check", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
    "--disable-extensions", "--disable-default-apps", "--mute-audio",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
    "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
    "--remote-debugging-pipe", "--window-size=1280,900",
]

WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
    window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


class BrowserError(Exception):
    pass


def network_namespace():
    """Can this process put a command in a network namespace of its own?"""
    if shutil.which("unshare") is None:
        return False
    try:
        return subprocess.run(["unshare", "-n", "true"],
            stderr=subprocess.DEVNULL).returncode == 0
    except OSError:
        return False


class Browser:
    def __init__(self, tmp, width=1280, height=900):
        self.tmp = tmp
        profile = os.path.join(tmp, "chromium-profile")
        os.makedirs(profile, exist_ok=True)
        cmd = [CHROMIUM] + FLAGS + ["--user-data-dir=" + profile,
            "about:blank"]
        self.isolated = network_namespace()
        if self.isolated:
            cmd = ["unshare", "-n"] + cmd
        r_in, self.w = os.pipe()     # we write, Chromium reads fd 3
        self.r, w_out = os.pipe()    # Chromium writes fd 4, we read
        self.log = open(os.path.join(tmp, "chromium.log"), "wb")

        def fds():
            # Out of the way first: either end may be fd 3 or 4 already.
            a = fcntl.fcntl(r_in, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(w_out, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)
            os.close(a)
            os.close(b)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
            stdout=self.log, stderr=self.log, preexec_fn=fds,
            pass_fds=(3, 4))
        os.close(r_in)
        os.close(w_out)
        self.buf = b""
        self.next_id = 0
        self.session = None
        self.events = []
        self.requests = []
        self.dialogs = []
        self.errors = []
        target = self.call("Target.createTarget", url="about:blank")
        attached = self.call("Target.attachToTarget",
            targetId=target["targetId"], flatten=True)
        self.session = attached["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.call(domain + ".enable")
        self.call("Emulation.setDeviceMetricsOverride", width=width,
            height=height, deviceScaleFactor=1, mobile=False)
        self.call("Page.addScriptToEvaluateOnNewDocument", source=WATCH)

    def _send(self, msg):
        data = json.dumps(msg).encode() + b"\0"
        while data:
            n = os.write(self.w, data)
            data = data[n:]

    def _receive(self):
        while b"\0" not in self.buf:
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium went away (see %s)" %
                    self.log.name)
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def _event(self, msg):
        method, params = msg["method"], msg.get("params", {})
        self.events.append(method)
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Page.javascriptDialogOpening":
            self.dialogs.append(params.get("message"))
            self._send({"id": -1, "method": "Page.handleJavaScriptDialog",
                "params": {"accept": False}, "sessionId": self.session})
        elif method == "Runtime.exceptionThrown":
            d = params["exceptionDetails"]
            self.errors.append(d.get("exception", {}).get("description",
                d.get("text")))

    def call(self, method, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if self.session is not None:
            msg["sessionId"] = self.session
        self._send(msg)
        while True:
            reply = self._receive()
            if "method" in reply:
                self._event(reply)
                continue
            if reply.get("id") != self.next_id:
                continue
            if "error" in reply:
                raise BrowserError("%s: %s" % (method, reply["error"]))
            return reply.get("result", {})

    def pump(self, until, timeout=10.0):
        """Read events until until() is true."""
        end = time.time() + timeout
        while not until():
            if time.time() > end:
                return False
            self.call("Runtime.evaluate", expression="0")
            time.sleep(0.05)
        return True

    def open(self, url, timeout=30.0):
        n = self.events.count("Page.loadEventFired")
        self.call("Page.navigate", url=url)
        if not self.pump(lambda: self.events.count("Page.loadEventFired") >
                n, timeout):
            raise BrowserError("%s did not load in %d s" % (url, timeout))

    def eval(self, js):
        r = self.call("Runtime.evaluate", expression=js, awaitPromise=True,
            returnByValue=True)
        if "exceptionDetails" in r:
            raise BrowserError("%s: %s" % (js, r["exceptionDetails"]))
        return r["result"].get("value")

    def wait(self, js, what, timeout=10.0):
        end = time.time() + timeout
        while not self.eval(js):
            if time.time() > end:
                raise BrowserError("timed out waiting for " + what)
            time.sleep(0.05)

    @property
    def violations(self):
        return self.eval("window.__violations || []")

    def screenshot(self, path):
        r = self.call("Page.captureScreenshot", format="png",
            captureBeyondViewport=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))

    def close(self):
        try:
            self.session = None
            self.call("Browser.close")
        except (BrowserError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.w)
        os.close(self.r)
        self.log.close()


def report_problems(b, url):
    """What a report must never do: ask for anything but itself, open a
    dialog, break its policy or throw."""
    problems = []
    for u in b.requests:
        if u != url:
            problems.append("a request for %s" % u)
    for d in b.dialogs:
        problems.append("a dialog: %r" % d)
    for v in b.violations:
        problems.append("a policy violation: %s" % v)
    for e in b.errors:
        problems.append("an exception: %s" % e)
    return problems


def screen_lines(b, selector):
    """The text of the player's terminal in selector, line by line, with
    trailing spaces and blank lines at the end taken off."""
    lines = b.eval("Array.from(document.querySelectorAll(%s)).map("
        "function (l) { return l.textContent; })" %
        json.dumps(selector + " .ap-line"))
    lines = [l.rstrip() for l in lines]
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def played(b, selector, want, timeout=20.0):
    """Wait for the player in selector to end and show the lines want (it
    draws its last frame just after it says it has ended); return what it
    shows then."""
    b.wait("document.querySelector(%s).dataset.ended === 'yes'" %
        json.dumps(selector), "the player to end", timeout)
    end = time.time() + 2
    shown = screen_lines(b, selector)
    while shown != want and time.time() < end:
        time.sleep(0.05)
        shown = screen_lines(b, selector)
    return shown
