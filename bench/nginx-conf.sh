# bench/nginx-conf.sh - sourced by core.sh and compare.sh: the nginx that
# serves as the plain-HTTP ceiling (WebDAV PUT/GET, sendfile, no logging),
# configured the same way in every benchmark.
#
#   nginx_write_conf DIR PORT WORKERS LOCATION DAV_METHODS
# writes DIR/nginx.conf (with DIR/www, DIR/body, DIR/logs) for nginx -p DIR.
nginx_write_conf() {
    local dir=$1 port=$2 workers=$3 location=$4 methods=$5 user=""
    mkdir -p "$dir/www" "$dir/body" "$dir/logs"
    [[ $(id -u) -eq 0 ]] && user="user root;"
    cat >"$dir/nginx.conf" <<EOF
$user
daemon off;
worker_processes $workers;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    client_max_body_size 0;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/body;
    fastcgi_temp_path $dir/body;
    uwsgi_temp_path $dir/body;
    scgi_temp_path $dir/body;
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$port;
        root $dir/www;
        location $location {
            dav_methods $methods;
            create_full_put_path on;
            dav_access user:rw group:r all:r;
        }
    }
}
EOF
}
