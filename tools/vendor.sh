#!/usr/bin/env bash
# Fetch the JavaScript that the website and the slides load, from the npm
# registry, so that no page asks another host for anything:
#   _build/vendor/site/vendor/  -> copied to the site root (html_extra_path)
#       mathjax/        MathJax 3 (typesets the equations)
#       require.js      RequireJS (the widget manager is an AMD module)
#       html-manager/   @jupyter-widgets/html-manager (renders saved widgets)
#   _build/vendor/site/notebooks/<part>/@jupyter-widgets/  its fonts
#   _build/vendor/reveal.js/    reveal.js for `make slides`
# Versions are pinned here; npm checks each tarball against the registry's
# integrity hash. It downloads only when a version changes.
set -euo pipefail
cd "$(dirname "$0")/.."

MATHJAX=mathjax@3.2.2
REQUIREJS=requirejs@2.3.7
HTML_MANAGER=@jupyter-widgets/html-manager@1.0.6
REVEAL=reveal.js@5.2.1

out=_build/vendor
stamp="$out/.$MATHJAX-$REQUIREJS-${HTML_MANAGER//\//_}-$REVEAL"
site="$out/site/vendor"
if [ ! -f "$stamp" ]; then
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$MATHJAX" "$REQUIREJS" "$HTML_MANAGER" \
        "$REVEAL" >/dev/null)
    for tgz in "$tmp"/*.tgz; do
        mkdir -p "${tgz%.tgz}"
        tar xzf "$tgz" -C "${tgz%.tgz}"
    done

    rm -rf "$out"
    mkdir -p "$site/html-manager"
    cp -r "$tmp"/mathjax-*/package/es5 "$site/mathjax"
    cp "$tmp"/requirejs-*/package/require.js "$site/require.js"
    # The widget manager's own code and fonts, without source maps.
    find "$tmp"/jupyter-widgets-html-manager-*/package/dist -maxdepth 1 -type f \
        ! -name '*.map' -exec cp {} "$site/html-manager/" \;
    mkdir -p "$out/reveal.js"
    cp -r "$tmp"/reveal.js-*/package/{dist,plugin,LICENSE} "$out/reveal.js/"
    rm -rf "$tmp"
    touch "$stamp"
fi

# The widget manager's stylesheet asks for its icon fonts relative to the
# page, so each folder of chapter pages gets a copy of them.
for part in notebooks/*/; do
    fonts="$out/site/$part@jupyter-widgets/html-manager/dist"
    mkdir -p "$fonts"
    find "$site/html-manager" -maxdepth 1 -type f \
        \( -name '*.woff*' -o -name '*.ttf' -o -name '*.eot' -o -name '*.svg' \) \
        -exec cp {} "$fonts/" \;
done
