-- wrk script for the Gatehouse bench harness.
--   wrk ... -s bench.lua https://bench.local:PORT/path -- MODE [UPLOAD_BYTES]
-- The URL names the virtual host (it becomes Host and the TLS SNI); connections always go to 127.0.0.1.
-- MODE: keepalive (default) | close (a new connection per request) | upload (POST of UPLOAD_BYTES).
-- done() prints one line "BENCHJSON {...}" the harness reads (latencies in microseconds).

function wrk.resolve(host, service)
   wrk.addrs = wrk.lookup("127.0.0.1", service)
end

function init(args)
   local mode = args[1] or "keepalive"
   if mode == "close" then
      wrk.headers["Connection"] = "close"
   elseif mode == "upload" then
      wrk.method = "POST"
      wrk.headers["Content-Type"] = "application/octet-stream"
      wrk.body = string.rep("u", tonumber(args[2] or "1048576"))
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,"read_errors":%d,' ..
      '"write_errors":%d,"status_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
      '"p999_us":%d,"max_us":%d,"mean_us":%.1f}\n',
      summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
      latency.max, latency.mean))
end
