-- wrk script: each request comes from one of 1,000 clients behind a proxy (the
-- X-Forwarded-For that nginx would add), so per-client counters spread over many rows.
local n = 0
request = function()
  n = (n + 1) % 1000
  wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.1", math.floor(n / 256), n % 256)
  return wrk.format(nil)
end
