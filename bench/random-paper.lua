-- wrk script: GET a random paper page from the ids listed in bench-ids.txt (one per line),
-- so most requests miss the page cache and measure the cold path.
local ids = {}
for line in io.lines(os.getenv("IDS_FILE") or "bench-ids.txt") do ids[#ids + 1] = line end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/papers/" .. ids[math.random(#ids)])
end
