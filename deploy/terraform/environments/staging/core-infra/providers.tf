provider "aws" {
  region = "ca-central-1"

  default_tags {
    tags = module.core_infra.tags
  }
}

# The cluster is created by this root; Kubernetes and Helm reach it with a
# token from the AWS CLI (the runner's role must be a cluster admin).
provider "kubernetes" {
  host                   = module.core_infra.cluster_endpoint
  cluster_ca_certificate = base64decode(module.core_infra.cluster_certificate_authority_data)

  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "aws"
    args        = module.core_infra.cluster_token_args
  }
}

provider "helm" {
  kubernetes {
    host                   = module.core_infra.cluster_endpoint
    cluster_ca_certificate = base64decode(module.core_infra.cluster_certificate_authority_data)

    exec {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = module.core_infra.cluster_token_args
    }
  }
}
