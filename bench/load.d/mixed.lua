-- Scenario "mixed": 70 % reads and 30 % writes, as a municipality's staff work through a day.
-- In every 40 requests: 14 child reads, 14 course reads, and 3 each of
--   * a new child (POST /api/v1/children) with a CPR number no one has used,
--   * a contact opening a new course for a known child (POST /api/v1/contacts),
--   * a treatment session on a course in a track (POST /api/v1/courses/{id}/sessions),
--   * an SDQ parent form typed in from paper (POST /api/v1/children/{id}/responses).
-- None of them sends a `version`: it is optional, and a version read earlier by another
-- connection would only turn into 409s under load, which is not what this measures.
--
-- Arguments: the ids folder (from prepare.py), a block number unique to this wrk run within
-- the database, the session time (a moment just past) and the date of the new contacts.
local common = dofile(os.getenv("LOAD_D") .. "/common.lua")

setup = common.setup
done = common.done

local child, course, treatment, paper_child
local dates, block, session_at, received_on
local json
local plan, slot = {}, 0
local made = 0

-- A new child needs a CPR number not yet registered in the municipality, or the API answers
-- 409. The demo's synthetic numbers (Cpr::synthetic) use the first serials of each birth date,
-- 4000-4999 for children born after 2000, so these take 5000-8999 (still born after 2000 by
-- the 7th digit) and, like the demo's, fail the modulus-11 check so they can never be a real
-- person's. Number k of the database is never made twice: runs differ by block, threads by
-- thread_index, and each thread counts its own.
local WEIGHTS = { 4, 3, 2, 7, 6, 5, 4, 3, 2, 1 }
local PER_BLOCK, MAX_THREADS = 1000000, 16

local function passes_mod11(digits)
  local sum = 0
  for i = 1, 10 do sum = sum + tonumber(digits:sub(i, i)) * WEIGHTS[i] end
  return sum % 11 == 0
end

local function new_cpr()
  local k = block * PER_BLOCK + made * MAX_THREADS + thread_index
  made = made + 1
  local day = dates[k % #dates + 1]
  local pair = math.floor(k / #dates)
  assert(pair < 2000 and made * MAX_THREADS < PER_BLOCK, "out of unused CPR numbers")
  -- Of two neighbouring serials at most one passes modulus 11 (the last weight is 1).
  local serial = 5000 + 2 * pair
  if passes_mod11(day .. serial) then serial = serial + 1 end
  return day .. "-" .. serial
end

-- SDQ parent form (sdq-parent-4-17), the 25 items answered with the printed 0/1/2, as from a
-- family with some difficulties; the impact supplement left open as many parents do.
local SDQ = {}
for q = 1, 25 do SDQ[#SDQ + 1] = string.format('"q%d": %d', q, (q * 7) % 3) end
local SDQ_ANSWERS = "{" .. table.concat(SDQ, ", ") .. "}"

local requests = {
  read_child = function()
    return wrk.format("GET", "/api/v1/children/" .. child())
  end,
  read_course = function()
    return wrk.format("GET", "/api/v1/courses/" .. course())
  end,
  new_child = function()
    return wrk.format("POST", "/api/v1/children", json, string.format(
      '{"cpr": "%s", "given_name": "Bo", "family_name": "Belastningstest", ' ..
      '"address": "Testvej 1, 2300 København S", "school": "Testskolen", ' ..
      '"guardians": [{"name": "Mette Belastningstest", "relation": "mother", ' ..
      '"custody": true, "phone": "20 00 00 02"}]}', new_cpr()))
  end,
  contact = function()
    return wrk.format("POST", "/api/v1/contacts", json, string.format(
      '{"child_id": "%s", "source": "self", "received_at": "%s", ' ..
      '"reason": "Forældrene er bekymrede for barnets trivsel i skolen.", ' ..
      '"duration": "Et halvt år", "consent": "given", "themes": ["worry"]}',
      child(), received_on))
  end,
  session = function()
    return wrk.format("POST", "/api/v1/courses/" .. treatment() .. "/sessions", json,
      string.format(
        '{"at": "%s", "delivery": "individual", "participants": "child_present", ' ..
        '"attendance": ["child", "mother"], "module": "Psykoedukation", ' ..
        '"note": "Gennemgik ugens øvelser med barnet og mor."}', session_at))
  end,
  paper_response = function()
    return wrk.format("POST", "/api/v1/children/" .. paper_child() .. "/responses", json,
      '{"instrument": "sdq-parent-4-17", "respondent_name": "Mor", "answers": ' ..
      SDQ_ANSWERS .. '}')
  end,
}

function init(args)
  local dir = args[1]
  block, session_at, received_on = tonumber(args[2]), args[3], args[4]
  child = common.rotation(common.lines(dir .. "/children.txt"))
  course = common.rotation(common.lines(dir .. "/courses.txt"))
  treatment = common.rotation(common.lines(dir .. "/treatment.txt"))
  paper_child = common.rotation(common.lines(dir .. "/paper_children.txt"))
  dates = common.lines(dir .. "/birth_dates.txt")
  json = common.json_headers()
  -- Writes on every 3rd, 6th and 9th of ten requests, spread evenly rather than in bursts.
  local writes = { "new_child", "contact", "session", "paper_response" }
  local w, r = 0, 0
  for s = 1, 40 do
    if s % 10 == 3 or s % 10 == 6 or s % 10 == 9 then
      w = w + 1
      plan[s] = writes[(w - 1) % #writes + 1]
    else
      r = r + 1
      plan[s] = (r % 2 == 1) and "read_child" or "read_course"
    end
  end
  slot = (thread_index * 13) % #plan
  common.debug_responses()
end

function request()
  slot = slot % #plan + 1
  return requests[plan[slot]]()
end
