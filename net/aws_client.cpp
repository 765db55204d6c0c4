#include "net/aws_client.hpp"

namespace lpack::net {

Result<AwsEndpoint> resolve_aws_endpoint(const AwsContext& context, std::string_view service,
                                         std::string_view flag, std::string_view region) {
  AwsProfiles profiles = LPACK_TRY(load_profiles(context.env, context.home));
  AwsEndpoint endpoint;
  endpoint.service = std::string(service);
  if (!region.empty()) {
    endpoint.region = std::string(region);
  } else if (auto r = resolve_region(context.env, profiles)) {
    endpoint.region = *r;
  }
  auto url = resolve_endpoint(context.env, profiles, service, flag);
  if (endpoint.region.empty()) {
    // A custom endpoint (moto, MinIO) does not care; AWS itself needs the region.
    if (!url)
      return bad_input("no AWS region for " + std::string(service) +
                       ": set AWS_REGION (or AWS_DEFAULT_REGION, or 'region' in the profile)");
    endpoint.region = "us-east-1";
  }
  endpoint.url = url ? *url : default_endpoint(service, endpoint.region);
  LPACK_TRY(parse_url(endpoint.url));
  while (!endpoint.url.empty() && endpoint.url.back() == '/') endpoint.url.pop_back();
  return endpoint;
}

Result<HttpResponse> AwsClient::send(HttpRequest request, SigningOptions options,
                                     std::string_view what) {
  if (options.service.empty()) options.service = m_endpoint.service;
  if (options.region.empty()) options.region = m_endpoint.region;
  Credentials credentials = LPACK_TRY_CTX(m_credentials.credentials(), what);
  LPACK_TRY_CTX(sign_request(request, credentials, options, m_clock.now()), what);
  return m_transport.send(request);
}

}  // namespace lpack::net
