#!/usr/bin/env python3
"""A bounded load test of `mt serve` over loopback, next to `mt translate` on the same sentences.

1. starts `mt serve` on a free 127.0.0.1 port;
2. translates every sentence alone, one request at a time: the single-request answers;
3. sends them again from --clients concurrent clients, one sentence per request, and checks each
   answer against its single-request answer (a line given to the wrong request would show);
   reports sentences/s and the p50/p99 latency;
4. runs `mt translate` on the same sentences as a file, and stops the server with SIGTERM.

    scripts/load_test.py --mt build/mt [--sentences FILE] [--count 400] [--clients 32] [--threads 2]
"""
import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def translate(connection, text, source, target):
    body = json.dumps({"q": text, "source": source, "target": target})
    started = time.perf_counter()
    connection.request("POST", "/translate", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    answer = json.loads(response.read())
    seconds = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"{response.status}: {answer}")
    return answer["translatedText"], seconds


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mt", default=os.path.join(ROOT, "build/mt"))
    parser.add_argument("--model", default=os.path.join(ROOT, "models/en-zh"))
    parser.add_argument("--sentences", default=os.path.join(ROOT, "../shared/data/test/tatoeba-test.cmn_Hans.en"))
    parser.add_argument("--source", default="en")
    parser.add_argument("--target", default="zh")
    parser.add_argument("--count", type=int, default=400, help="sentences (the first ones of the file)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="--threads for mt serve and mt translate")
    parser.add_argument("--compute-type", default="auto", help="for mt serve and mt translate")
    args = parser.parse_args()

    with open(args.sentences, encoding="utf-8") as f:
        sentences = [line.rstrip("\n") for line in f][: args.count]
    server = subprocess.Popen([args.mt, "serve", "-m", args.model, "--port", "0", "--threads", str(args.threads),
                               "--http-threads", str(max(32, args.clients + 4)), "--timeout", "600",
                               "--compute-type", args.compute_type],
                              stderr=subprocess.PIPE, text=True)
    port = None
    for line in server.stderr:
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if m:
            port = int(m.group(1))
            break
    if port is None:
        sys.exit("mt serve did not start")
    threading.Thread(target=lambda: [None for _ in server.stderr], daemon=True).start()  # drain its log

    try:
        # 2. Single-request answers, one at a time.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        single, single_latency = [], []
        started = time.perf_counter()
        for s in sentences:
            text, seconds = translate(connection, s, args.source, args.target)
            single.append(text)
            single_latency.append(seconds)
        sequential_seconds = time.perf_counter() - started

        # 3. The same sentences from concurrent clients.
        latencies, mismatches, errors = [], [], []
        lock = threading.Lock()
        next_index = [0]

        def client():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            while True:
                with lock:
                    i = next_index[0]
                    next_index[0] += 1
                if i >= len(sentences):
                    return
                try:
                    text, seconds = translate(conn, sentences[i], args.source, args.target)
                except Exception as e:  # noqa: BLE001 - counted and reported
                    with lock:
                        errors.append(str(e))
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                    continue
                with lock:
                    latencies.append(seconds)
                    if text != single[i]:
                        mismatches.append((sentences[i], single[i], text))

        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        load_seconds = time.perf_counter() - started

        metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=60).read().decode()
    finally:
        server.send_signal(signal.SIGTERM)
        server_code = server.wait(timeout=600)

    batches = re.search(r"^mt_engine_batches_total (\d+)", metrics, re.M)
    lines = re.search(r"^mt_sentences_total (\d+)", metrics, re.M)

    # 4. mt translate on the same sentences, as a file.
    with tempfile.NamedTemporaryFile("w", suffix=".en", delete=False, encoding="utf-8") as f:
        f.write("\n".join(sentences) + "\n")
        path = f.name
    started = time.perf_counter()
    run = subprocess.run([args.mt, "translate", "-m", args.model, "-i", path, "-o", path + ".out", "--to", args.target,
                          "--threads", str(args.threads), "--compute-type", args.compute_type],
                         check=True, stderr=subprocess.PIPE, text=True)
    file_seconds = time.perf_counter() - started
    # Its own summary times the translation alone, without loading the model.
    summary = re.search(r"in ([\d.]+) s: ([\d.]+) lines/s", run.stderr)
    with open(path + ".out", encoding="utf-8") as f:
        file_out = [line.rstrip("\n") for line in f]
    os.unlink(path)
    os.unlink(path + ".out")

    n = len(sentences)
    print(f"sentences: {n} from {args.sentences}, {args.source}->{args.target}, --threads {args.threads}, "
          f"--compute-type {args.compute_type}, {args.clients} clients")
    print(f"one request at a time: {n / sequential_seconds:.1f} sentences/s, "
          f"p50 {1000 * percentile(single_latency, 50):.0f} ms, p99 {1000 * percentile(single_latency, 99):.0f} ms")
    print(f"{args.clients} concurrent clients: {len(latencies) / load_seconds:.1f} sentences/s, "
          f"p50 {1000 * percentile(latencies, 50):.0f} ms, p99 {1000 * percentile(latencies, 99):.0f} ms, "
          f"errors {len(errors)}, answers differing from the single-request answer {len(mismatches)}")
    if batches and lines:
        print(f"engine calls: {batches.group(1)} for {lines.group(1)} lines "
              f"({int(lines.group(1)) / max(1, int(batches.group(1))):.1f} lines per call, both phases)")
    print(f"mt translate on the same file: {summary.group(2) if summary else '?'} sentences/s "
          f"({summary.group(1) if summary else '?'} s; {n / file_seconds:.1f} sentences/s with the model load); "
          f"lines equal to the server's single-request answers: {sum(a == b for a, b in zip(file_out, single))}/{n}")
    print(f"mt serve exit code after SIGTERM: {server_code}")
    for source, alone, loaded in mismatches[:5]:
        print(f"  differs: {source!r}: alone {alone!r}, under load {loaded!r}")
    for e in errors[:5]:
        print(f"  error: {e}")
    return 0 if not errors and server_code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
