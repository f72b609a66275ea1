-- wrk script for bench/serve.sh: GET /api/alerts pages at cursors picked
-- at random from a file of alert ids, so no two requests in a row need ask
-- for the same page (a server caching one response gains nothing here).
--   wrk -s bench/pages.lua http://127.0.0.1:PORT -- IDS_FILE [QUERY]
-- IDS_FILE: one alert id a line; QUERY: the rest of the query string
-- (default "limit=100"). Seeded the same each run.
local ids, query = {}, "limit=100"

function init(args)
    local f = assert(io.open(args[1], "r"), "pages.lua: no ids file")
    for line in f:lines() do
        if #line > 0 then ids[#ids + 1] = line end
    end
    f:close()
    assert(#ids > 0, "pages.lua: the ids file is empty")
    query = args[2] or query
    math.randomseed(1)
end

function request()
    return wrk.format("GET", "/api/alerts?" .. query .. "&after=" .. ids[math.random(#ids)])
end
