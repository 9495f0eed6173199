-- wrk script: upvote (or take back) a random paper as one signed-in member, with the
-- session cookie and CSRF token from the environment; ids from IDS_FILE.
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
local cookie = "ps_session=" .. os.getenv("SESSION")
local csrf = os.getenv("CSRF")
math.randomseed(os.time())
request = function()
  local up = math.random(2) - 1
  return wrk.format("POST", "/vote/" .. ids[math.random(#ids)], {
    ["Cookie"] = cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
  }, "up=" .. up .. "&csrf=" .. csrf)
end
