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

local function valid_port(text)
  local port = tonumber(text)
  return text:sub(1, 1) ~= "0" and port ~= nil and port >= 1 and port <= 65535
end

-- Returns host, port of an address, or nil when it is not an IP literal with a port.
local function parse_address(text)
  local a, b, c, d, port = text:match("^(%d+)%.(%d+)%.(%d+)%.(%d+):(%d+)$")
  if a then
    for _, octet in ipairs({ a, b, c, d }) do
      if #octet > 3 or tonumber(octet) > 255 or (#octet > 1 and octet:sub(1, 1) == "0") then return nil end
    end
    if not valid_port(port) then return nil end
    return a .. "." .. b .. "." .. c .. "." .. d, tonumber(port)
  end
  local ip, port6 = text:match("^%[([%x:%.]+)%]:(%d+)$")
  if ip and #ip <= 45 and ip:find(":", 1, true) and valid_port(port6) then return ip, tonumber(port6) end
  return nil
end

local function valid_id(id)
  return id:match("^microservice%d+$") ~= nil or id:match("^microservice%d+%-%d+$") ~= nil
end

--- Parses a body; returns version, routes (id -> list of {host, port}) or nil and the reason.
function M.parse(body)
  if type(body) ~= "string" or body:sub(-1) ~= "\n" then return nil, "the body must be lines ending in a newline" end
  local routes = {}
  local version
  local number = 0
  for line in body:gmatch("([^\n]*)\n") do
    number = number + 1
    if number == 1 then
      if line ~= MAGIC then return nil, "line 1 must be '" .. MAGIC .. "'" end
    elseif number == 2 then
      local digits = line:match("^version (%d+)$")
      if not digits or #digits > 15 then return nil, "line 2 must be 'version N'" end
      version = tonumber(digits)
    else
      local members = {}
      local id
      for word in line:gmatch("[^ ]+") do
        if not id then
          id = word
          if not valid_id(id) then return nil, "line " .. number .. ": bad route id" end
          if routes[id] then return nil, "line " .. number .. ": route listed twice" end
        else
          local host, port = parse_address(word)
          if not host then return nil, "line " .. number .. ": bad address" end
          members[#members + 1] = { host = host, port = port }
        end
      end
      if not id or line:find("  ", 1, true) or line:sub(1, 1) == " " or line:sub(-1) == " " then
        return nil, "line " .. number .. ": expected ROUTE_ID ADDRESS..., one space apart"
      end
      routes[id] = members
    end
  end
  if not version then return nil, "the body has no version line" end
  return version, routes
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
  local version, routes_or_reason = M.parse(body)
  if not version then return answer(400, routes_or_reason) end
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
  local version, routes_or_reason = M.parse(body)
  if not version then
    ngx.log(ngx.ERR, "k8s-pods-ingress: ignoring ", path, ": ", routes_or_reason)
    return
  end
  local ok, err = M.store(version, body)
  if not ok then ngx.log(ngx.ERR, "k8s-pods-ingress: cannot load ", path, ": ", err) end
end

return M
