-- Scenario "child": GET /api/v1/children/{id}, rotating over every child of the municipality.
-- Arguments: the file of child ids.
local common = dofile(os.getenv("LOAD_D") .. "/common.lua")

common.with_ids(function(next_id)
  return wrk.format("GET", "/api/v1/children/" .. next_id())
end)
