FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
ENV CONSOLE_DATA_DIR=/data PYTHONUNBUFFERED=1
VOLUME /data
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput -v0 && python manage.py setup_link --base-url http://127.0.0.1:8000 && exec daphne -b 0.0.0.0 -p 8000 console.asgi:application"]
