-- Picks a pod for each request: round robin over the route's members, per worker; on a connection error or timeout
-- nginx asks again (proxy_next_upstream) and a member not tried yet is picked, at most 2 retries.
local ngx_balancer = require("ngx.balancer")
local store = require("k8s_pods_ingress.store")

local M = {}

local MAX_RETRIES = 2
local cached_version = nil
local cached_routes = {}
-- Next member to pick per route, in this worker.
local next_index = {}

-- Returns the routes of the version in force, decoding a body only when the version changed (one dict get a request).
local function routes()
  local version = ngx.shared.k8s_pods_ingress:get("version")
  if version == cached_version then return cached_routes end
  local current, body = store.current()
  if not current or not body then return cached_routes end
  local _, decoded = store.parse(body)
  if type(decoded) == "table" then
    cached_version = current
    cached_routes = decoded
  end
  return cached_routes
end

--- Runs in the access phase of every location: no route here, nothing to do; a route without members answers 503.
function M.access()
  local id = ngx.var.k8s_route
  if id == nil or id == "" then return end
  local members = routes()[id]
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
