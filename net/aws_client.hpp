// One AWS service endpoint with its credentials: signs each request (SigV4) at the clock's
// time and sends it through the Transport (normally a RetryingTransport over curl). The S3
// client is built on it, and so is publish's Lambda client.
#pragma once

#include <string>

#include "net/clock.hpp"
#include "net/credentials.hpp"
#include "net/http.hpp"
#include "net/sigv4.hpp"

namespace lpack::net {

struct AwsEndpoint {
  std::string service;  // signing name: "s3", "lambda", "sts", "iam"
  std::string region;   // signing region
  std::string url;      // base URL, no trailing slash ("https://lambda.eu-west-1.amazonaws.com")
};

// The endpoint of `service` for `context` and an --endpoint-url `flag` (may be empty):
// resolve_endpoint(), else AWS's. An Error when no region is known (the message says to set
// AWS_REGION or --region) or the shared files are malformed. `region` overrides the
// resolved region when not empty.
Result<AwsEndpoint> resolve_aws_endpoint(const AwsContext& context, std::string_view service,
                                         std::string_view flag, std::string_view region = {});

class AwsClient {
 public:
  // All three references must outlive the client.
  AwsClient(Transport& transport, CredentialsProvider& credentials, Clock& clock,
            AwsEndpoint endpoint)
      : m_transport(transport),
        m_credentials(credentials),
        m_clock(clock),
        m_endpoint(std::move(endpoint)) {}

  const AwsEndpoint& endpoint() const { return m_endpoint; }
  Transport& transport() { return m_transport; }
  Clock& clock() { return m_clock; }

  // Signs `request` (its url must be absolute) with `options.service/region` filled from the
  // endpoint when empty, then sends it. A transport failure is an Error with `what` as its
  // context; any HTTP answer is a value (see status_error()).
  Result<HttpResponse> send(HttpRequest request, SigningOptions options, std::string_view what);

 private:
  Transport& m_transport;
  CredentialsProvider& m_credentials;
  Clock& m_clock;
  AwsEndpoint m_endpoint;
};

}  // namespace lpack::net
