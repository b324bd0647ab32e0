-- Scenario "course": GET /api/v1/courses/{id}, rotating over every course of the municipality.
-- Arguments: the file of course ids.
local common = dofile(os.getenv("LOAD_D") .. "/common.lua")

common.with_ids(function(next_id)
  return wrk.format("GET", "/api/v1/courses/" .. next_id())
end)
