#!/usr/bin/env python3
"""The web page of `mt serve` in headless Chromium, driven through the DevTools protocol.

Starts `mt serve` on a free loopback port, opens its page, types an English sentence key by key
and waits for the Chinese translation; types Chinese and sees auto-detect turn the target to
English; swaps the direction; copies; chooses a subtitle file in the file panel and downloads its
translation. Saves a screenshot. Then stops the server with SIGTERM and
checks it exits cleanly. Exits 77 (skipped) without chromium or a model.

    tests/web/page_test.py --mt build/mt [--model DIR] [--screenshot page.png] [--url URL]

Only the standard library: a minimal WebSocket client speaks the protocol.
"""
import argparse
import base64
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

SKIP = 77


class DevTools:
    """One WebSocket connection to a page target (RFC 6455, client side, text frames)."""

    def __init__(self, ws_url):
        m = re.match(r"ws://([^/:]+):(\d+)(/.*)", ws_url)
        self.sock = socket.create_connection((m.group(1), int(m.group(2))), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {m.group(3)} HTTP/1.1\r\nHost: {m.group(1)}:{m.group(2)}\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        response = b""
        while b"\r\n\r\n" not in response:
            response += self.sock.recv(4096)
        if b" 101 " not in response.split(b"\r\n")[0]:
            raise RuntimeError(f"WebSocket handshake refused: {response[:200]!r}")
        self.buffer = response.split(b"\r\n\r\n", 1)[1]
        self.next_id = 0

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("DevTools connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _send(self, text):
        payload = text.encode()
        header = bytes([0x81])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _receive(self):
        message = b""
        while True:
            first, second = self._read(2)
            n = second & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            opcode = first & 0x0F
            if opcode in (0x0, 0x1):
                message += payload
                if first & 0x80:
                    return json.loads(message)
            elif opcode == 0x8:
                raise RuntimeError("DevTools connection closed")

    def call(self, method, **params):
        self.next_id += 1
        self._send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:  # events arrive in between: skip them
            message = self._receive()
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, what, timeout=90):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}: {expression}")

    def type_text(self, text):
        """Key by key, as a person types: each character fires the page's input event."""
        for ch in text:
            self.call("Input.insertText", text=ch)
            time.sleep(0.03)


def read_line_matching(stream, pattern, timeout, what):
    deadline = time.time() + timeout
    seen = []
    while time.time() < deadline:
        line = stream.readline()
        if not line:
            break
        seen.append(line)
        m = re.search(pattern, line)
        if m:
            return m
    raise RuntimeError(f"{what} did not start:\n{''.join(seen[-20:])}")


def value(page, element_id):
    return page.evaluate(f"document.getElementById('{element_id}').value")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mt", help="the mt binary: starts `mt serve` on a free port")
    parser.add_argument("--model", help="model folder for mt serve (default: mt's default)")
    parser.add_argument("--url", help="an already running server instead of --mt")
    parser.add_argument("--screenshot", default=os.path.join(tempfile.gettempdir(), "mt-serve-page.png"))
    args = parser.parse_args()

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("SKIPPED: chromium is not installed (apt-get install chromium)")
        return SKIP
    server = None
    if args.url:
        url = args.url.rstrip("/") + "/"
    else:
        model = args.model or os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../models/en-zh")
        if not os.path.exists(os.path.join(model, "model.json")):
            print(f"SKIPPED: no model at {model}")
            return SKIP
        server = subprocess.Popen([args.mt, "serve", "-m", model, "--host", "127.0.0.1", "--port", "0",
                                   "--threads", "1"], stderr=subprocess.PIPE, text=True)
        port = read_line_matching(server.stderr, r"listening on http://127\.0\.0\.1:(\d+)", 180, "mt serve").group(1)
        url = f"http://127.0.0.1:{port}/"

    profile = tempfile.mkdtemp(prefix="mt-chromium-")
    browser = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                                "--disable-sync", f"--user-data-dir={profile}", "--remote-debugging-address=127.0.0.1",
                                "--remote-debugging-port=0", "--window-size=1200,600", "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        devtools_port = read_line_matching(browser.stderr, r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", 60,
                                           "chromium").group(1)
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{devtools_port}/json/list", timeout=30))
        page = DevTools(next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"])
        page.call("Page.enable")
        page.call("Page.navigate", url=url)
        page.wait_for("document.readyState === 'complete' && !!document.getElementById('input')", "the page")

        # English, typed: the translation appears by itself (debounced), with the time taken.
        page.evaluate("document.getElementById('input').focus()")
        page.type_text("Where is the train station?")
        chinese = page.wait_for(r"/[\u4e00-\u9fff]/.test(document.getElementById('output').value) && "
                                "/ms$/.test(document.getElementById('status').textContent) && "
                                "document.getElementById('output').value", "a Chinese translation")
        status = page.evaluate("document.getElementById('status').textContent")
        detected = page.evaluate("document.getElementById('detected').textContent")
        print(f"typed 'Where is the train station?' -> {chinese!r} ({status}; {detected})")
        shot = page.call("Page.captureScreenshot", format="png")
        with open(args.screenshot, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        print(f"screenshot: {args.screenshot}")

        # Swap: the translation becomes the source, and the direction turns around.
        page.evaluate("document.getElementById('swap').click()")
        assert value(page, "input") == chinese, "swap did not move the translation into the source box"
        assert value(page, "source-lang") == "zh" and value(page, "target-lang") == "en", "swap did not swap"
        back = page.wait_for(r"(() => { const v = document.getElementById('output').value;"
                             r" return /[A-Za-z]/.test(v) && !/[\u4e00-\u9fff]/.test(v) && v; })()",
                             "the English translation after the swap")
        print(f"swapped: {chinese!r} -> {back!r}")

        # Auto-detect: Chinese typed with the target on Chinese turns the target to English.
        page.evaluate("document.getElementById('source-lang').value = 'auto';"
                      "document.getElementById('target-lang').value = 'zh';"
                      "document.getElementById('input').value = ''; document.getElementById('output').value = '';"
                      "document.getElementById('input').focus()")
        page.type_text("我们明天见。")
        english = page.wait_for(r"(() => { const v = document.getElementById('output').value;"
                                r" return document.getElementById('target-lang').value === 'en' &&"
                                r" document.getElementById('detected').textContent.startsWith('Detected: Chinese') &&"
                                r" /[A-Za-z]/.test(v) && v; })()", "auto-detect to English")
        detected = page.evaluate("document.getElementById('detected').textContent")
        assert detected.startswith("Detected: Chinese"), detected
        print(f"typed '我们明天见。' (auto) -> {english!r} ({detected})")

        page.evaluate("document.getElementById('copy').click()")
        page.wait_for("document.getElementById('status').textContent === 'Copied'", "the copy button")

        # The file panel: a subtitle file chosen, its translation behind the download link.
        subtitles = os.path.join(profile, "scene.srt")
        with open(subtitles, "w", encoding="utf-8") as f:
            f.write("1\n00:00:01,000 --> 00:00:03,000\nGood morning.\n\n2\n00:00:04,000 --> 00:00:06,000\n"
                    "<i>Where are you going?</i>\n")
        page.evaluate("document.getElementById('target-lang').value = 'zh'")
        element = page.call("Runtime.evaluate", expression="document.getElementById('file-input')")["result"]
        page.call("DOM.setFileInputFiles", files=[subtitles], objectId=element["objectId"])
        page.evaluate("document.getElementById('file-input').dispatchEvent(new Event('change'))")
        href = page.wait_for("!document.getElementById('download').hidden && document.getElementById('download').href",
                             "the translated file's download link")
        translated = urllib.request.urlopen(href, timeout=60).read().decode("utf-8")
        assert "00:00:04,000 --> 00:00:06,000" in translated and "<i>" in translated, translated
        assert re.search(r"[\u4e00-\u9fff]", translated), translated
        took = page.evaluate("document.getElementById('file-status').textContent")
        print(f"file panel: scene.srt -> {href} ({took})")
        page.evaluate("document.getElementById('files').scrollIntoView()")
        shot = page.call("Page.captureScreenshot", format="png")
        with open(args.screenshot.replace(".png", "-file.png"), "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        print("PASSED")
        return 0
    finally:
        browser.kill()
        browser.wait()
        shutil.rmtree(profile, ignore_errors=True)
        if server:
            server.send_signal(signal.SIGTERM)
            code = server.wait(timeout=60)
            if code != 0:
                print(f"mt serve exited with {code} after SIGTERM")
                sys.exit(1)


if __name__ == "__main__":
    sys.exit(main())
