-- Scenario "html": the server-rendered pages as a logged-in coordinator, alternating the front
-- page and a course page (rotating over every course). The session cookie comes in as a -H
-- header from bench/load, which logged in through the real login form.
-- Arguments: the file of course ids.
local common = dofile(os.getenv("LOAD_D") .. "/common.lua")
local front = false

common.with_ids(function(next_id)
  front = not front
  if front then
    return wrk.format("GET", "/")
  end
  return wrk.format("GET", "/courses/" .. next_id())
end)
