-- Picks a pod for each request: round robin over the route's members, per worker; on a connection error or timeout
-- nginx asks again (proxy_next_upstream) and a member not tried yet is picked, at most 2 retries.
local ngx_balancer = require("ngx.balancer")
local store = require("k8s_pods_ingress.store")

local M = {}

local MAX_RETRIES = 2
local cached_version = nil
local cached_body = nil
-- Members decoded from the body in force, by route id (false: the body has no such route); reset on a new version.
local decoded = {}
-- Next member to pick per route, in this worker.
local next_index = {}

-- Returns the members of a route in the version in force (one dict get a request). A new version costs nothing
-- until a request needs one of its routes; then only that route's line is decoded (the body was checked on receipt).
local function members_of(id)
  local version = ngx.shared.k8s_pods_ingress:get("version")
  if version ~= cached_version then
    local current, body = store.current()
    if current and body then
      cached_version = current
      cached_body = body
      decoded = {}
    end
  end
  if cached_body == nil then return nil end
  local members = decoded[id]
  if members == nil then
    members = store.members(cached_body, id) or false
    decoded[id] = members
  end
  return members or nil
end

--- Runs in the access phase of every location: no route here, nothing to do; a route without members answers 503.
function M.access()
  local id = ngx.var.k8s_route
  if id == nil or id == "" then return end
  local members = members_of(id)
  if members == nil or #members == 0 then return ngx.exit(ngx.HTTP_SERVICE_UNAVAILABLE) end
  local ctx = ngx.ctx
  ctx.k8s_route = id
  ctx.k8s_members = members
end

--- Runs for every try of a request (balancer_by_lua): sets the pod to connect to.
function M.balance()
  local ctx = ngx.ctx
  local members = ctx.k8s_members
  if members == nil then return ngx.exit(ngx.HTTP_SERVICE_UNAVAILABLE) end
  local count = #members
  local tried = ctx.k8s_tried
  if tried == nil then
    tried = {}
    ctx.k8s_tried = tried
    local more = math.min(count - 1, MAX_RETRIES)
    if more > 0 then ngx_balancer.set_more_tries(more) end
  end
  local id = ctx.k8s_route
  local start = next_index[id] or 1
  local pick = nil
  for step = 0, count - 1 do
    local index = (start - 1 + step) % count + 1
    if not tried[index] then
      pick = index
      break
    end
  end
  if pick == nil then return ngx.exit(ngx.HTTP_BAD_GATEWAY) end
  tried[pick] = true
  next_index[id] = pick % count + 1
  local member = members[pick]
  local ok, err = ngx_balancer.set_current_peer(member.host, member.port)
  if not ok then
    ngx.log(ngx.ERR, "k8s-pods-ingress: cannot set peer ", member.host, ":", member.port, ": ", err)
    return ngx.exit(ngx.HTTP_INTERNAL_SERVER_ERROR)
  end
end

return M
