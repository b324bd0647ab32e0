-- Scenario "worklist": the coordinator's deadline worklist (active courses, nearest open
-- deadline first), the same request every time, as every coordinator's morning starts.
local common = dofile(os.getenv("LOAD_D") .. "/common.lua")

setup = common.setup
done = common.done

function init(args)
  common.debug_responses()
end

function request()
  return wrk.format("GET", "/api/v1/worklists/deadlines")
end
