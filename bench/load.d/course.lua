-- Scenario "course": GET /api/v1/courses/{id}, rotating over every course of the municipality.
-- Arguments: the file of course ids.
local common = dofile(os.getenv("LOAD_D") .. "/common.lua")
local next_id

setup = common.setup
done = common.done

function init(args)
  next_id = common.rotation(common.lines(args[1]))
  common.debug_responses()
end

function request()
  return wrk.format("GET", "/api/v1/courses/" .. next_id())
end
