-- Members of every route, as the controller last pushed them: checked strictly, kept in the shared dict where every
-- worker sees them, and loaded from <prefix>/run/members when nginx (re)starts or reloads.
--
-- Body (line-oriented, every line ends in "\n"):
--   k8s-pods-ingress members 1
--   version N
--   ROUTE_ID ADDRESS ADDRESS ...      one line per route; no address: the route answers 503
-- ROUTE_ID is microservice<digits>[-<digits>]; ADDRESS is IPv4:PORT or [IPv6]:PORT.
local M = {}

local MAGIC = "k8s-pods-ingress members 1"
local FILE = "run/members"

-- Returns the shared dict (looked up late: init_by_lua runs before workers exist, and tests load this file alone).
local function dict()
  return ngx.shared.k8s_pods_ingress
end

local byte, find, gmatch, match, sub = string.byte, string.find, string.gmatch, string.match, string.sub

local function valid_port(text)
  local port = tonumber(text)
  return byte(text, 1) ~= 48 and port ~= nil and port >= 1 and port <= 65535
end

-- An IPv4 octet as the controller writes it: 0-255, no leading zero.
local function valid_octet(text)
  return #text <= 3 and (#text == 1 or byte(text, 1) ~= 48) and tonumber(text) <= 255
end

-- Tells whether a word is an IP literal with a port: IPv4:PORT or [IPv6]:PORT.
local function valid_address(text)
  local a, b, c, d, port = match(text, "^(%d+)%.(%d+)%.(%d+)%.(%d+):(%d+)$")
  if a then
    return valid_octet(a) and valid_octet(b) and valid_octet(c) and valid_octet(d) and valid_port(port)
  end
  local ip, port6 = match(text, "^%[([%x:%.]+)%]:(%d+)$")
  return ip ~= nil and #ip <= 45 and find(ip, ":", 1, true) ~= nil and valid_port(port6)
end

local function valid_id(id)
  return match(id, "^microservice%d+$") ~= nil or match(id, "^microservice%d+%-%d+$") ~= nil
end

-- Route ids are unique: returns nil, or the reason naming the first line that repeats one.
local function duplicate(body)
  local seen = {}
  local number = 2
  for id in gmatch(body, "\n(microservice[%d%-]+)") do
    number = number + 1
    if seen[id] then return "line " .. number .. ": route listed twice" end
    seen[id] = true
  end
  return nil
end

-- Checks a body line by line in plain Lua; returns its version, or nil and what is wrong (and on which line).
local function scan(body)
  if type(body) ~= "string" or sub(body, -1) ~= "\n" then return nil, "the body must be lines ending in a newline" end
  local first_end = find(body, "\n", 1, true)
  if sub(body, 1, first_end - 1) ~= MAGIC then return nil, "line 1 must be '" .. MAGIC .. "'" end
  local second_end = find(body, "\n", first_end + 1, true)
  local digits = second_end and match(sub(body, first_end + 1, second_end - 1), "^version (%d+)$")
  if not digits or #digits > 15 then return nil, "line 2 must be 'version N'" end
  local number = 2
  local at = second_end + 1
  local size = #body
  while at <= size do
    number = number + 1
    local line_end = find(body, "\n", at, true)
    local line = sub(body, at, line_end - 1)
    at = line_end + 1
    if line == "" or byte(line, 1) == 32 or byte(line, -1) == 32 or find(line, "  ", 1, true) then
      return nil, "line " .. number .. ": expected ROUTE_ID ADDRESS..., one space apart"
    end
    local id_end = find(line, " ", 1, true)
    local id = id_end and sub(line, 1, id_end - 1) or line
    if not valid_id(id) then return nil, "line " .. number .. ": bad route id" end
    if id_end then
      for word in gmatch(sub(line, id_end + 1), "[^ ]+") do
        if not valid_address(word) then return nil, "line " .. number .. ": bad address" end
      end
    end
  end
  local repeated = duplicate(body)
  if repeated then return nil, repeated end
  return tonumber(digits)
end

-- The same grammar as scan() in one expression, which PCRE's JIT runs over the body at once: ~1 ms for a 10k-pod
-- body against ~13 ms for scan(). A body it does not accept goes through scan(), which has the last word.
local OCTET = [[(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])]]
local PORT = [[(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9][0-9]|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})]]
local ADDRESS = "(?:" .. OCTET .. "(?:\\." .. OCTET .. "){3}|\\[(?=[0-9A-Fa-f.]*:)[0-9A-Fa-f:.]{1,45}\\]):" .. PORT
local BODY = "\\A" .. MAGIC .. "\\nversion ([0-9]{1,15})\\n"
  .. "(?:microservice[0-9]+(?:-[0-9]+)?(?: " .. ADDRESS .. ")*+\\n)*+\\z"

--- Checks a body strictly without decoding it; returns its version, or nil and the reason.
function M.check(body)
  if type(body) ~= "string" then return nil, "the body must be lines ending in a newline" end
  local captures = ngx.re.match(body, BODY, "jo")
  -- Refused, or the expression could not run (PCRE's limits): scan() decides and says why.
  if not captures then return scan(body) end
  local repeated = duplicate(body)
  if repeated then return nil, repeated end
  return tonumber(captures[1])
end

--- Returns the members of route `id` in a checked body (a list of {host, port}), or nil when it has no line.
--- Decodes that one line only: a worker decodes a route when a request first needs it, not the whole body.
function M.members(body, id)
  local at = find(body, "\n" .. id .. " ", 1, true)
  if not at then
    if find(body, "\n" .. id .. "\n", 1, true) then return {} end
    return nil
  end
  local line_end = find(body, "\n", at + 1, true)
  local members = {}
  for word in gmatch(sub(body, at + #id + 2, line_end - 1), "[^ ]+") do
    local host, port = match(word, "^%[?(.-)%]?:(%d+)$")
    members[#members + 1] = { host = host, port = tonumber(port) }
  end
  return members
end

--- Stores a checked body under its version; returns true, or nil and nginx's reason ("no memory" when too small).
function M.store(version, body)
  local shared = dict()
  -- safe_set never evicts: the snapshot in force must not be pushed out to make room for the next one.
  local ok, err = shared:safe_set("snapshot:" .. version, body)
  if not ok then return nil, err end
  local old = shared:get("version")
  ok, err = shared:safe_set("version", version)
  if not ok then
    shared:delete("snapshot:" .. version)
    return nil, err
  end
  if old and old ~= version then shared:delete("snapshot:" .. old) end
  return true
end

--- Returns the version in force and its body, or nil before the first snapshot.
function M.current()
  local shared = dict()
  local version = shared:get("version")
  if not version then return nil end
  return version, shared:get("snapshot:" .. version)
end

local function answer(status, reason)
  ngx.status = status
  ngx.header["Content-Type"] = "application/json"
  ngx.say('{"error":"' .. reason:gsub('[%c"\\]', "?") .. '"}')
  return ngx.exit(status)
end

--- Serves POST /members: checks the body, stores it, answers {"version":N}; a refused body changes nothing.
function M.receive()
  if ngx.req.get_method() ~= "POST" then return answer(405, "only POST") end
  ngx.req.read_body()
  local body = ngx.req.get_body_data()
  if not body then
    if ngx.req.get_body_file() then return answer(413, "body larger than the buffer") end
    return answer(400, "empty body")
  end
  local version, reason = M.check(body)
  if not version then return answer(400, reason) end
  local ok, err = M.store(version, body)
  if not ok then
    if err == "no memory" then return answer(507, "no memory in lua_shared_dict k8s_pods_ingress") end
    return answer(500, "cannot store: " .. tostring(err))
  end
  ngx.header["Content-Type"] = "application/json"
  ngx.say('{"version":' .. string.format("%d", version) .. '}')
end

--- Loads <prefix>/run/members into the shared dict (init_by_lua): a restarted nginx serves current members at once.
function M.load_file()
  local path = ngx.config.prefix() .. FILE
  local file = io.open(path, "rb")
  if not file then return end
  local body = file:read("*a")
  file:close()
  -- init_by_lua runs before ngx.re is promised to work: the plain-Lua check, once per (re)start.
  local version, reason = scan(body)
  if not version then
    ngx.log(ngx.ERR, "k8s-pods-ingress: ignoring ", path, ": ", reason)
    return
  end
  local ok, err = M.store(version, body)
  if not ok then ngx.log(ngx.ERR, "k8s-pods-ingress: cannot load ", path, ": ", err) end
end

return M
